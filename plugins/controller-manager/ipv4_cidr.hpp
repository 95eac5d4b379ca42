// An IPv4 CIDR ("10.244.0.0/16") as a value: parsed strictly, printed canonically, compared
// for containment and overlap. IPv4 only: node IPAM hands out IPv4 pod ranges.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace skiff::controllers {

struct Ipv4Cidr {
  std::uint32_t network = 0;  // host bits are zero
  int prefix = 0;             // 0..32

  std::uint64_t size() const { return std::uint64_t{1} << (32 - prefix); }
  std::uint32_t last() const { return static_cast<std::uint32_t>(network + size() - 1); }
  bool contains(const Ipv4Cidr& other) const {
    return other.prefix >= prefix && other.network >= network && other.last() <= last();
  }
  bool overlaps(const Ipv4Cidr& other) const { return network <= other.last() && other.network <= last(); }
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

// "a.b.c.d/n": four decimal octets without leading zeros and a prefix 0..32.
std::variant<Ipv4Cidr, CidrError> parse_ipv4_cidr(std::string_view text, HostBits host_bits = HostBits::Refuse);

}  // namespace skiff::controllers
