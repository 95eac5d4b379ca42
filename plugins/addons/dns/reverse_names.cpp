// Reverse-name arithmetic: octets and nibbles counted from the right of the arpa suffix.
#include "reverse_names.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace skiff::dns {

namespace {

const WireName& in_addr_arpa() {
  static const WireName name = *wire_name("in-addr.arpa");
  return name;
}

const WireName& ip6_arpa() {
  static const WireName name = *wire_name("ip6.arpa");
  return name;
}

// A decimal octet label as written in reverse names: 0-255, no leading zeros.
std::optional<std::uint8_t> octet_label(std::string_view label) {
  if (label.empty() || label.size() > 3 || (label.size() > 1 && label[0] == '0')) return std::nullopt;
  unsigned value = 0;
  auto [end, error] = std::from_chars(label.data(), label.data() + label.size(), value);
  if (error != std::errc{} || end != label.data() + label.size() || value > 255) return std::nullopt;
  return static_cast<std::uint8_t>(value);
}

std::optional<std::uint8_t> nibble_label(std::string_view label) {
  if (label.size() != 1) return std::nullopt;
  char c = label[0];
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
  return std::nullopt;
}

// The leading address bits a reverse name spells, `bits_per_label` per label from the right,
// and how many labels spelled them.
struct SpelledPrefix {
  std::array<std::uint8_t, 16> bytes{};
  std::size_t labels = 0;
};

SpelledPrefix spelled_prefix(const std::vector<std::string_view>& labels, bool v4) {
  SpelledPrefix prefix;
  std::size_t limit = v4 ? 4 : 32;
  for (auto label = labels.rbegin(); label != labels.rend() && prefix.labels < limit; ++label) {
    auto value = v4 ? octet_label(*label) : nibble_label(*label);
    if (!value) break;
    if (v4) {
      prefix.bytes[prefix.labels] = *value;
    } else {
      prefix.bytes[prefix.labels / 2] |= static_cast<std::uint8_t>(prefix.labels % 2 == 0 ? *value << 4 : *value);
    }
    ++prefix.labels;
  }
  return prefix;
}

bool prefix_matches(const std::array<std::uint8_t, 16>& bytes, const ReverseCidr& cidr) {
  std::array<std::uint8_t, 16> network{};
  if (cidr.network.is_v4()) {
    auto v4 = cidr.network.to_v4().to_bytes();
    std::copy(v4.begin(), v4.end(), network.begin());
  } else {
    network = cidr.network.to_v6().to_bytes();
  }
  for (unsigned bit = 0; bit < cidr.prefix; ++bit) {
    auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

WireName reverse_name(const IpAddress& address) {
  std::string text;
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    for (auto byte = bytes.rbegin(); byte != bytes.rend(); ++byte) text += std::to_string(*byte) + ".";
    return *wire_name(text + "in-addr.arpa");
  }
  static constexpr char digits[] = "0123456789abcdef";
  auto bytes = address.to_v6().to_bytes();
  for (auto byte = bytes.rbegin(); byte != bytes.rend(); ++byte) {
    text += digits[*byte & 0xf];
    text += '.';
    text += digits[*byte >> 4];
    text += '.';
  }
  return *wire_name(text + "ip6.arpa");
}

std::optional<WireName> reverse_apex(std::string_view qname, const std::vector<ReverseCidr>& cidrs) {
  bool v4 = is_at_or_below(qname, in_addr_arpa());
  if (!v4 && !is_at_or_below(qname, ip6_arpa())) return std::nullopt;
  const auto& suffix = v4 ? in_addr_arpa() : ip6_arpa();
  auto labels = labels_of(qname);
  labels.resize(labels.size() - label_count(suffix));
  auto spelled = spelled_prefix(labels, v4);
  std::optional<std::size_t> best;
  for (const auto& cidr : cidrs) {
    if (cidr.network.is_v4() != v4) continue;
    std::size_t bits_per_label = v4 ? 8 : 4;
    std::size_t needed = (cidr.prefix + bits_per_label - 1) / bits_per_label;
    if (spelled.labels < needed || !prefix_matches(spelled.bytes, cidr)) continue;
    if (!best || needed > *best) best = needed;
  }
  if (!best) return std::nullopt;
  return WireName(strip_labels(qname, labels.size() - *best));
}

std::string dashed_address(const IpAddress& address) {
  auto text = address.to_string();
  std::replace(text.begin(), text.end(), address.is_v4() ? '.' : ':', '-');
  return text;
}

std::optional<IpAddress> address_from_dashed(std::string_view label) {
  std::string text(label);
  bool v4 = std::count(text.begin(), text.end(), '-') == 3 && text.find_first_not_of("0123456789-") == std::string::npos;
  std::replace(text.begin(), text.end(), '-', v4 ? '.' : ':');
  boost::system::error_code error;
  auto address = boost::asio::ip::make_address(text, error);
  if (error || address.is_v4() != v4) return std::nullopt;
  if (dashed_address(address) != label) return std::nullopt;  // only the canonical spelling
  return address;
}

}  // namespace skiff::dns
