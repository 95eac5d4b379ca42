// Endpoints that left and ports that came back, as conntrack filters.
#include "stale_flows.hpp"

#include <algorithm>
#include <set>

namespace skiff::proxy {
namespace {

std::set<std::uint32_t> endpoint_ips(const ServicePort& port) {
  std::set<std::uint32_t> ips;
  for (const auto& e : port.cluster_endpoints) ips.insert(e.ip);
  for (const auto& e : port.external_endpoints) ips.insert(e.ip);
  return ips;
}

// Every (address, port) a client may have sent to: cluster and external IPs, and the NodePort
// on any address.
void add_flows(std::set<FlowFilter>& out, const ServicePort& port, std::uint32_t reply_source) {
  for (auto ip : port.cluster_ips) out.insert({ip, port.port, reply_source});
  for (auto ip : port.external_ips) out.insert({ip, port.port, reply_source});
  if (port.node_port) out.insert({0, port.node_port, reply_source});
}

}  // namespace

std::vector<FlowFilter> stale_udp_flows(const ProxyState& before, const ProxyState& after) {
  std::set<FlowFilter> out;
  for (const auto& [key, old_port] : before.ports) {
    if (old_port.protocol != Protocol::udp) continue;
    auto found = after.ports.find(key);
    std::set<std::uint32_t> remaining = found == after.ports.end() ? std::set<std::uint32_t>{} : endpoint_ips(found->second);
    for (auto ip : endpoint_ips(old_port))
      if (!remaining.contains(ip)) add_flows(out, old_port, ip);
  }
  for (const auto& [key, new_port] : after.ports) {
    if (new_port.protocol != Protocol::udp || endpoint_ips(new_port).empty()) continue;
    auto found = before.ports.find(key);
    if (found == before.ports.end() || endpoint_ips(found->second).empty()) add_flows(out, new_port, 0);
  }
  return {out.begin(), out.end()};
}

}  // namespace skiff::proxy
