// Parsing and printing IPv4 addresses and CIDR blocks (inet_pton rules: four decimal parts).
#include "skiff/sdk/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace skiff::sdk {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::string copy(text);
  in_addr address{};
  if (inet_pton(AF_INET, copy.c_str(), &address) != 1) return std::nullopt;
  return ntohl(address.s_addr);
}

std::string format_ipv4(std::uint32_t address) {
  in_addr a{htonl(address)};
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, text, sizeof text);
  return text;
}

std::optional<Ipv4Cidr> Ipv4Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = parse_ipv4(text.substr(0, slash));
  std::string_view bits = text.substr(slash + 1);
  int prefix = -1;
  auto [end, error] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  if (!address || error != std::errc() || end != bits.data() + bits.size() || prefix < 0 || prefix > 32)
    return std::nullopt;
  Ipv4Cidr cidr{*address, prefix};
  if ((*address & cidr.mask()) != *address) return std::nullopt;
  return cidr;
}

std::string Ipv4Cidr::str() const { return format_ipv4(network) + "/" + std::to_string(prefix); }

}  // namespace skiff::sdk
