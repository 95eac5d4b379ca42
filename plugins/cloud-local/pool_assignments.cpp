// PoolAssignments: first free address in pool order, requests honoured only when free.
#include "pool_assignments.hpp"

#include "skiff/sdk/cidr.hpp"

namespace skiff::cloud_local {

bool PoolAssignments::restore(const std::string& key, std::uint32_t address) {
  if (!pool_.contains(address) || holders_.count(address) || held_.count(key)) return false;
  take(key, address);
  return true;
}

Assignment PoolAssignments::assign(const std::string& key, std::optional<std::uint32_t> requested) {
  auto held = held_.find(key);
  if (requested && (held == held_.end() || held->second != *requested)) return request(key, *requested);
  if (held != held_.end()) return {held->second, "", ""};
  for (std::uint32_t address : pool_.addresses)
    if (!holders_.count(address)) {
      take(key, address);
      return {address, "", ""};
    }
  return {std::nullopt,
          "no load balancer address left: all " + std::to_string(pool_.addresses.size()) + " of the pool (" +
              pool_.description + ") are in use; the Service stays pending until one is released",
          "PoolExhausted"};
}

Assignment PoolAssignments::request(const std::string& key, std::uint32_t requested) {
  std::string text = sdk::format_ipv4(requested);
  if (!pool_.contains(requested))
    return {std::nullopt,
            "requested load balancer IP " + text + " is not in the pool (" + pool_.description +
                "); ask for an address of the pool or none",
            "LoadBalancerIPNotInPool"};
  if (auto holder = holders_.find(requested); holder != holders_.end())
    return {std::nullopt, "requested load balancer IP " + text + " is taken by Service " + holder->second,
            "LoadBalancerIPTaken"};
  release(key);
  take(key, requested);
  return {requested, "", ""};
}

void PoolAssignments::take(const std::string& key, std::uint32_t address) {
  holders_[address] = key;
  held_[key] = address;
}

std::optional<std::uint32_t> PoolAssignments::held_by(const std::string& key) const {
  auto it = held_.find(key);
  if (it == held_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint32_t> PoolAssignments::release(const std::string& key) {
  auto it = held_.find(key);
  if (it == held_.end()) return std::nullopt;
  std::uint32_t address = it->second;
  holders_.erase(address);
  held_.erase(it);
  return address;
}

}  // namespace skiff::cloud_local
