// Addresses point at pods' keys (stable in an unordered_map); an address with two pods is
// ambiguous and answers nothing.
#include "client_index.hpp"

namespace skiff::dns {

void ClientIndex::upsert(const std::string& key, const Pod& pod) {
  forget_addresses(key);
  auto [entry, created] = pods_.try_emplace(key);
  entry->second.client = {pod.namespace_, pod.standard_search_path};
  if (pod.host_network) return;  // the node's address: says nothing about who asks
  entry->second.ips = pod.ips;
  for (const auto& address : entry->second.ips) by_address_[address].push_back(&entry->first);
}

void ClientIndex::remove(const std::string& key) {
  forget_addresses(key);
  pods_.erase(key);
}

void ClientIndex::forget_addresses(const std::string& key) {
  auto pod = pods_.find(key);
  if (pod == pods_.end()) return;
  for (const auto& address : pod->second.ips) {
    auto owners = by_address_.find(address);
    if (owners == by_address_.end()) continue;
    std::erase(owners->second, &pod->first);
    if (owners->second.empty()) by_address_.erase(owners);
  }
  pod->second.ips.clear();
}

std::optional<ClientPod> ClientIndex::find(const IpAddress& address) const {
  auto owners = by_address_.find(address);
  if (owners == by_address_.end() || owners->second.size() != 1) return std::nullopt;
  return pods_.at(*owners->second.front()).client;
}

}  // namespace skiff::dns
