// IPv4 addresses and CIDR blocks as values: parsed strictly (what is refused says what was
// expected), printed canonically, compared for containment and overlap. What the node IPAM
// controller, the network plugin and the runtimes agree on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace skiff::sdk {

// "10.244.1.7" (four decimal octets, no leading zeros) in host byte order.
std::optional<std::uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(std::uint32_t address);

struct Ipv4Cidr {
  std::uint32_t network = 0;  // host byte order, host bits zero
  int prefix = 0;             // 0..32

  // "10.244.0.0/16"; nullopt when malformed or when host bits are set ("10.244.0.1/16").
  static std::optional<Ipv4Cidr> parse(std::string_view text);

  std::uint32_t mask() const { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }
  std::uint64_t size() const { return std::uint64_t{1} << (32 - prefix); }
  std::uint32_t last() const { return static_cast<std::uint32_t>(network + size() - 1); }
  bool contains(std::uint32_t address) const { return (address & mask()) == network; }
  bool contains(const Ipv4Cidr& other) const { return other.prefix >= prefix && contains(other.network); }
  bool overlaps(const Ipv4Cidr& other) const { return network <= other.last() && other.network <= last(); }
  // The first usable address (network + 1): a bridge's gateway.
  std::uint32_t first_host() const { return network + 1; }
  std::string str() const;

  friend bool operator==(const Ipv4Cidr&, const Ipv4Cidr&) = default;
};

// Why a text is not an IPv4 CIDR, in words that say how to write it.
struct CidrError {
  std::string message;
};

// What to do with host bits ("10.244.1.0/16"): refuse them in configuration, where they are
// likely a typo that would move every node, or mask them away as Kubernetes' ParseCIDR does
// with what is already written in objects.
enum class HostBits { Refuse, Mask };

std::variant<Ipv4Cidr, CidrError> parse_ipv4_cidr(std::string_view text, HostBits host_bits = HostBits::Refuse);

}  // namespace skiff::sdk
