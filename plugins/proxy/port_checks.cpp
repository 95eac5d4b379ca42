// Checks of a service port before it is rendered (see port_checks.hpp).
#include "port_checks.hpp"

#include "skiff/sdk/cidr.hpp"

namespace skiff::proxy::nft {

namespace {

// Kubernetes' limit for sessionAffinityConfig.clientIP.timeoutSeconds.
constexpr std::uint32_t kMaxAffinitySeconds = 86400;

std::optional<std::string> check_endpoints(const std::vector<Endpoint>& endpoints, const char* which) {
  for (const auto& ep : endpoints)
    if (ep.ip == 0 || ep.port == 0)
      return std::string("has ") + which + " endpoint " + sdk::format_ipv4(ep.ip) + ":" + std::to_string(ep.port) +
             " (address and port must be set)";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_port(const std::string& key, const ServicePort& port) {
  auto fail = [&](const std::string& why) { return "service port " + key + " " + why; };
  if (key.empty()) return std::string("a service port has an empty key");
  if (port.protocol != Protocol::tcp && port.protocol != Protocol::udp && port.protocol != Protocol::sctp)
    return fail("has protocol number " + std::to_string(static_cast<int>(port.protocol)) + " (tcp, udp or sctp only)");
  if (port.port == 0 && (!port.cluster_ips.empty() || !port.external_ips.empty())) return fail("has port 0");
  for (auto ip : port.cluster_ips)
    if (ip == 0) return fail("has cluster IP 0.0.0.0");
  for (auto ip : port.external_ips)
    if (ip == 0) return fail("has external IP 0.0.0.0");
  if (auto why = check_endpoints(port.cluster_endpoints, "cluster")) return fail(*why);
  if (auto why = check_endpoints(port.external_endpoints, "external")) return fail(*why);
  if (port.affinity_seconds > kMaxAffinitySeconds)
    return fail("has a session affinity of " + std::to_string(port.affinity_seconds) + " s (at most 86400)");
  return std::nullopt;
}

}  // namespace skiff::proxy::nft
