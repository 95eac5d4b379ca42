// Parsing the pool: each entry one address, one range or one CIDR block.
#include "address_pool.hpp"

#include <algorithm>
#include <stdexcept>

#include "skiff/sdk/cidr.hpp"

namespace skiff::cloud_local {
namespace {

constexpr std::uint64_t kMaxPoolSize = 65536;

std::uint32_t address_or_throw(const std::string& text, const std::string& entry) {
  auto address = sdk::parse_ipv4(text);
  if (!address)
    throw std::invalid_argument("pool entry \"" + entry + "\": \"" + text +
                                "\" is not an IPv4 address; write 10.0.0.5, 10.0.0.5-10.0.0.9 or 10.0.0.0/28");
  return *address;
}

void add_range(std::vector<std::uint32_t>& out, std::uint32_t first, std::uint32_t last, const std::string& entry) {
  if (first > last) throw std::invalid_argument("pool entry \"" + entry + "\": the range ends before it starts");
  if (std::uint64_t{last} - first + 1 + out.size() > kMaxPoolSize)
    throw std::invalid_argument("pool entry \"" + entry + "\": the pool may hold at most 65536 addresses");
  for (std::uint64_t a = first; a <= last; ++a) out.push_back(static_cast<std::uint32_t>(a));
}

void add_entry(std::vector<std::uint32_t>& out, const std::string& entry) {
  if (entry.find('/') != std::string::npos) {
    auto parsed = sdk::parse_ipv4_cidr(entry);
    if (auto* error = std::get_if<sdk::CidrError>(&parsed))
      throw std::invalid_argument("pool entry \"" + entry + "\": " + error->message);
    auto cidr = std::get<sdk::Ipv4Cidr>(parsed);
    bool has_broadcast = cidr.prefix < 31;  // /31 and /32 have no network or broadcast address
    add_range(out, has_broadcast ? cidr.first_host() : cidr.network, has_broadcast ? cidr.last() - 1 : cidr.last(), entry);
  } else if (auto dash = entry.find('-'); dash != std::string::npos) {
    add_range(out, address_or_throw(entry.substr(0, dash), entry), address_or_throw(entry.substr(dash + 1), entry), entry);
  } else {
    std::uint32_t address = address_or_throw(entry, entry);
    add_range(out, address, address, entry);
  }
}

}  // namespace

bool AddressPool::contains(std::uint32_t address) const {
  return std::binary_search(addresses.begin(), addresses.end(), address);
}

AddressPool parse_address_pool(const std::vector<std::string>& entries) {
  AddressPool pool;
  for (const auto& entry : entries) {
    add_entry(pool.addresses, entry);
    pool.description += (pool.description.empty() ? "" : ", ") + entry;
  }
  std::sort(pool.addresses.begin(), pool.addresses.end());
  pool.addresses.erase(std::unique(pool.addresses.begin(), pool.addresses.end()), pool.addresses.end());
  return pool;
}

}  // namespace skiff::cloud_local
