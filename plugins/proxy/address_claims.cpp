// The owner of each service address and NodePort, with rollback (see address_claims.hpp).
#include "address_claims.hpp"

#include <algorithm>

namespace skiff::proxy::nft {

std::vector<ElementKey> claims_of(const ServicePort& port) {
  std::vector<ElementKey> keys;
  for (auto ip : port.cluster_ips) keys.push_back(service_ip_key(SetId::service_ips, ip, port.protocol, port.port));
  for (auto ip : port.external_ips) keys.push_back(service_ip_key(SetId::service_ips, ip, port.protocol, port.port));
  if (port.node_port != 0) keys.push_back(node_port_key(SetId::service_nodeports, port.protocol, port.node_port));
  std::sort(keys.begin(), keys.end());
  return keys;
}

void AddressClaims::release(const std::vector<ElementKey>& keys) {
  for (const auto& key : keys) {
    auto it = owners_.find(key);
    if (it == owners_.end()) continue;
    undo_.emplace_back(key, std::move(it->second));
    owners_.erase(it);
  }
}

std::vector<std::string> AddressClaims::claim(const std::string& owner, const std::vector<ElementKey>& keys) {
  std::vector<std::string> conflicts;
  for (const auto& key : keys) {
    auto [it, inserted] = owners_.try_emplace(key, owner);
    if (inserted) {
      undo_.emplace_back(key, std::nullopt);
      continue;
    }
    std::string what = key.len == 8 ? "NodePort " + describe(key) : describe(key);
    conflicts.push_back(it->second == owner ? owner + " lists " + what + " twice"
                                            : what + " is claimed by both " + it->second + " and " + owner);
  }
  return conflicts;
}

void AddressClaims::rollback() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    if (it->second)
      owners_[it->first] = std::move(*it->second);
    else
      owners_.erase(it->first);
  }
  undo_.clear();
}

void AddressClaims::clear() {
  owners_.clear();
  undo_.clear();
}

}  // namespace skiff::proxy::nft
