// Which Service holds which pool address: at most one Service per address, an address kept by
// its Service until released, a requested address given only when free. Pure bookkeeping,
// rebuilt on start from what the Services' statuses say they hold.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "address_pool.hpp"

namespace skiff::cloud_local {

// An address for the Service, or why it has none now (the message is its Event's).
struct Assignment {
  std::optional<std::uint32_t> address;
  std::string refusal;
  std::string reason;  // the Event reason when refused: "LoadBalancerIPTaken", "LoadBalancerIPNotInPool", "PoolExhausted"
};

class PoolAssignments {
 public:
  explicit PoolAssignments(AddressPool pool) : pool_(std::move(pool)) {}

  // What the API says `key` holds (on start); false when the address is outside the pool or
  // another Service holds it already (the first one recorded keeps it).
  bool restore(const std::string& key, std::uint32_t address);
  // `key`'s address: the one it holds, else the requested one when free, else the lowest free
  // one. A request for another address than the one held moves it only when that one is free.
  Assignment assign(const std::string& key, std::optional<std::uint32_t> requested);
  std::optional<std::uint32_t> held_by(const std::string& key) const;
  // Returns the address `key` held, if any.
  std::optional<std::uint32_t> release(const std::string& key);
  std::size_t free_count() const { return pool_.addresses.size() - holders_.size(); }
  const std::map<std::uint32_t, std::string>& holders() const { return holders_; }

 private:
  Assignment request(const std::string& key, std::uint32_t requested);
  void take(const std::string& key, std::uint32_t address);

  AddressPool pool_;
  std::map<std::uint32_t, std::string> holders_;  // address → "namespace/name"
  std::map<std::string, std::uint32_t> held_;     // "namespace/name" → address
};

}  // namespace skiff::cloud_local
