// The load balancer pool as configured: addresses, ranges ("a-b") and CIDRs, read into one
// ordered list of distinct IPv4 addresses (a CIDR's network and broadcast addresses left out
// when it has more than two).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace skiff::cloud_local {

struct AddressPool {
  std::vector<std::uint32_t> addresses;  // ascending, distinct
  std::string description;               // as configured, for messages

  bool contains(std::uint32_t address) const;
};

// Throws std::invalid_argument naming the entry that is not an address, range or CIDR.
AddressPool parse_address_pool(const std::vector<std::string>& entries);

}  // namespace skiff::cloud_local
