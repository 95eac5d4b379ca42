// One pass to find clashing external addresses; a copy of the state only when one exists.
#include "address_clashes.hpp"

#include <map>
#include <tuple>

namespace skiff::proxy {
namespace {

using Claim = std::tuple<std::uint32_t, Protocol, std::uint16_t>;

std::string describe(const Claim& claim) {
  auto [ip, protocol, port] = claim;
  const char* name = protocol == Protocol::tcp ? "TCP" : protocol == Protocol::udp ? "UDP" : "SCTP";
  return sdk::format_ipv4(ip) + ":" + std::to_string(port) + "/" + name;
}

// Which external addresses each port loses: claimed by a ClusterIP, or by an earlier port.
std::map<std::string, std::vector<Claim>> losers(const ProxyState& state, std::vector<DroppedAddress>& dropped) {
  std::map<std::string, std::vector<Claim>> lost;
  bool any_external = false;
  for (const auto& [key, port] : state.ports) any_external |= !port.external_ips.empty();
  if (!any_external) return lost;
  std::map<Claim, std::string> owners;
  for (const auto& [key, port] : state.ports)
    for (auto ip : port.cluster_ips) owners.emplace(Claim{ip, port.protocol, port.port}, key);
  for (const auto& [key, port] : state.ports)
    for (auto ip : port.external_ips) {
      Claim claim{ip, port.protocol, port.port};
      auto [owner, fresh] = owners.emplace(claim, key);
      if (fresh || owner->second == key) continue;
      lost[key].push_back(claim);
      dropped.push_back({key, describe(claim), owner->second});
    }
  return lost;
}

}  // namespace

void settle_address_clashes(const ProxyState& state, SettledState& out) {
  out.dropped.clear();
  auto lost = losers(state, out.dropped);
  if (lost.empty()) {
    out.state = &state;
    out.storage.ports.clear();
    return;
  }
  out.storage = state;
  for (const auto& [key, claims] : lost) {
    auto& ips = out.storage.ports.at(key).external_ips;
    for (const auto& claim : claims) std::erase(ips, std::get<0>(claim));
  }
  out.state = &out.storage;
}

}  // namespace skiff::proxy
