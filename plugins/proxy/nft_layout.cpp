// Names and key encodings of the proxy table (see nft_layout.hpp).
#include "nft_layout.hpp"

#include <cstring>

#include "skiff/sdk/cidr.hpp"

namespace skiff::proxy::nft {

namespace {

// nft's datatype ids (nftables' datatype.h), so that `nft list` shows the sets' types.
constexpr std::uint32_t kTypeIpv4 = 7;
constexpr std::uint32_t kTypeInetProto = 12;
constexpr std::uint32_t kTypeInetService = 13;
constexpr std::uint32_t kTypeMark = 19;  // a 32-bit host-order integer nft can print
constexpr std::uint32_t concat(std::uint32_t a, std::uint32_t b) { return a << 6 | b; }

constexpr SetShape kShapes[] = {
    {"service-ips", concat(concat(kTypeIpv4, kTypeInetProto), kTypeInetService), 12, true},
    {"service-nodeports", concat(kTypeInetProto, kTypeInetService), 8, true},
    {"no-endpoint-services", concat(concat(kTypeIpv4, kTypeInetProto), kTypeInetService), 12, false},
    {"no-endpoint-nodeports", concat(kTypeInetProto, kTypeInetService), 8, false},
    {"endpoint-slots", kTypeMark, 4, true},
    {"affinity", concat(kTypeMark, kTypeIpv4), 8, false},
};

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

void put_be32(std::uint8_t* at, std::uint32_t value) {
  at[0] = static_cast<std::uint8_t>(value >> 24);
  at[1] = static_cast<std::uint8_t>(value >> 16);
  at[2] = static_cast<std::uint8_t>(value >> 8);
  at[3] = static_cast<std::uint8_t>(value);
}

void put_be16(std::uint8_t* at, std::uint16_t value) {
  at[0] = static_cast<std::uint8_t>(value >> 8);
  at[1] = static_cast<std::uint8_t>(value);
}

std::uint32_t get_be32(const std::uint8_t* at) {
  return std::uint32_t{at[0]} << 24 | std::uint32_t{at[1]} << 16 | std::uint32_t{at[2]} << 8 | at[3];
}

std::uint16_t get_be16(const std::uint8_t* at) { return static_cast<std::uint16_t>(at[0] << 8 | at[1]); }

std::string protocol_text(std::uint8_t number) {
  switch (number) {
    case 6: return "tcp";
    case 17: return "udp";
    case 132: return "sctp";
    default: return std::to_string(number);
  }
}

}  // namespace

const SetShape& shape(SetId set) { return kShapes[static_cast<std::size_t>(set)]; }

std::string port_id(std::string_view key) {
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::uint64_t hash = fnv1a(key);
  std::string id(13, 'A');
  for (auto& c : id) {
    c = kBase32[hash & 31];
    hash >>= 5;
  }
  return id;
}

std::string cluster_chain(std::string_view id) { return "svc-" + std::string(id); }
std::string external_chain(std::string_view id) { return "ext-" + std::string(id); }
std::string endpoint_chain(std::string_view id, const Endpoint& ep) {
  return "ep-" + std::string(id) + "-" + sdk::format_ipv4(ep.ip) + "-" + std::to_string(ep.port);
}

ElementKey service_ip_key(SetId set, std::uint32_t ip, Protocol protocol, std::uint16_t port) {
  ElementKey key{set, 12, {}};
  put_be32(&key.bytes[0], ip);
  key.bytes[4] = static_cast<std::uint8_t>(protocol);
  put_be16(&key.bytes[8], port);
  return key;
}

ElementKey node_port_key(SetId set, Protocol protocol, std::uint16_t port) {
  ElementKey key{set, 8, {}};
  key.bytes[0] = static_cast<std::uint8_t>(protocol);
  put_be16(&key.bytes[4], port);
  return key;
}

ElementKey slot_key(std::uint32_t slot) {
  ElementKey key{SetId::endpoint_slots, 4, {}};
  std::memcpy(key.bytes.data(), &slot, sizeof slot);  // numgen writes host order
  return key;
}

std::string describe(const ElementKey& key) {
  const std::uint8_t* b = key.bytes.data();
  if (key.len == 12) return sdk::format_ipv4(get_be32(b)) + " . " + protocol_text(b[4]) + " . " + std::to_string(get_be16(b + 8));
  if (key.len == 8) return protocol_text(b[0]) + " . " + std::to_string(get_be16(b + 4));
  std::uint32_t slot = 0;
  std::memcpy(&slot, b, sizeof slot);
  return "slot " + std::to_string(slot);
}

std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::tcp: return "tcp";
    case Protocol::udp: return "udp";
    case Protocol::sctp: return "sctp";
  }
  return "?";
}

}  // namespace skiff::proxy::nft
