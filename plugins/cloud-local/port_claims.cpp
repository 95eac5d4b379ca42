// PortClaims: all or nothing per Service, so a refused Service holds no port of its own.
#include "port_claims.hpp"

namespace skiff::cloud_local {

std::string PortClaims::claim(const std::string& key, const std::vector<PortClaim>& ports) {
  for (const auto& port : ports)
    if (auto holder = holders_.find(port); holder != holders_.end() && holder->second != key)
      return "port " + std::to_string(port.port) + "/" + port.protocol +
             " is already served on the nodes' addresses by Service " + holder->second +
             " (with no pool, cloud-local answers every LoadBalancer on the nodes' own addresses; configure `pool` "
             "to give each Service an address of its own)";
  release(key);
  for (const auto& port : ports) holders_[port] = key;
  claimed_[key] = ports;
  return "";
}

void PortClaims::release(const std::string& key) {
  auto it = claimed_.find(key);
  if (it == claimed_.end()) return;
  for (const auto& port : it->second) holders_.erase(port);
  claimed_.erase(it);
}

}  // namespace skiff::cloud_local
