// Parsing and printing IPv4 addresses and CIDR blocks, strictly.
#include "skiff/sdk/cidr.hpp"

#include <charconv>

namespace skiff::sdk {

namespace {

// A decimal number without sign or leading zeros, at most `max`.
std::optional<unsigned> decimal(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

std::uint32_t mask_of(int prefix) { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }

}  // namespace

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t address = 0;
  for (int octet = 0; octet < 4; ++octet) {
    auto dot = octet < 3 ? text.find('.') : text.size();
    if (dot == std::string_view::npos) return std::nullopt;
    auto value = decimal(text.substr(0, dot), 255);
    if (!value) return std::nullopt;
    address = (address << 8) | *value;
    text.remove_prefix(octet < 3 ? dot + 1 : dot);
  }
  return address;
}

std::string format_ipv4(std::uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
         std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

std::string Ipv4Cidr::str() const { return format_ipv4(network) + "/" + std::to_string(prefix); }

std::variant<Ipv4Cidr, CidrError> parse_ipv4_cidr(std::string_view text, HostBits host_bits) {
  const std::string quoted = "'" + std::string(text) + "'";
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    return CidrError{quoted + " is not a CIDR: it lacks the /prefix (write it as 10.244.0.0/16)"};
  auto address = parse_ipv4(text.substr(0, slash));
  if (!address) return CidrError{quoted + " is not an IPv4 CIDR: expected four numbers 0-255 and a /prefix, as 10.244.0.0/16"};
  auto prefix = decimal(text.substr(slash + 1), 32);
  if (!prefix) return CidrError{quoted + " is not an IPv4 CIDR: the prefix after '/' must be a number from 0 to 32"};
  Ipv4Cidr cidr{*address & mask_of(static_cast<int>(*prefix)), static_cast<int>(*prefix)};
  if (host_bits == HostBits::Refuse && cidr.network != *address)
    return CidrError{quoted + " has bits set after its /" + std::to_string(*prefix) + " prefix; did you mean " +
                     cidr.str() + "?"};
  return cidr;
}

std::optional<Ipv4Cidr> Ipv4Cidr::parse(std::string_view text) {
  auto parsed = parse_ipv4_cidr(text);
  if (const auto* cidr = std::get_if<Ipv4Cidr>(&parsed)) return *cidr;
  return std::nullopt;
}

}  // namespace skiff::sdk
