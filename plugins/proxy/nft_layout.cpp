// Names and key encodings of the proxy table (see nft_layout.hpp).
#include "nft_layout.hpp"


#include "skiff/sdk/cidr.hpp"

namespace skiff::proxy::nft {

namespace {

// nft's datatype ids (nftables' datatype.h), so that `nft list` shows the sets' types.
constexpr std::uint32_t kTypeIpv4 = 7;
constexpr std::uint32_t kTypeInetProto = 12;
constexpr std::uint32_t kTypeInetService = 13;
constexpr std::uint32_t kTypeMark = 19;  // a 32-bit host-order integer nft can print
constexpr std::uint32_t concat(std::uint32_t a, std::uint32_t b) { return a << 6 | b; }

constexpr std::uint32_t kServiceKey = concat(concat(kTypeIpv4, kTypeInetProto), kTypeInetService);
constexpr std::uint32_t kNodePortKey = concat(kTypeInetProto, kTypeInetService);

using Data = SetShape::Data;
constexpr SetShape kShapes[] = {
    {"service-ips", kServiceKey, 12, Data::verdict},
    {"service-nodeports", kNodePortKey, 8, Data::verdict},
    {"no-endpoint-services", kServiceKey, 12, Data::none},
    {"no-endpoint-nodeports", kNodePortKey, 8, Data::none},
    {"hairpin", concat(kTypeIpv4, kTypeIpv4), 8, Data::none},
    {"affinity", concat(concat(concat(kTypeMark, kTypeIpv4), kTypeIpv4), kTypeInetService), 16, Data::none},
    {"endpoint-ranges", kTypeMark, 4, Data::endpoint},
    {"firewall-ips", kServiceKey, 12, Data::verdict},
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

std::string set_name(SetId set, std::uint32_t shard) {
  std::string name(shape(set).name);
  if (set == SetId::endpoint_ranges) name += "-" + std::to_string(shard);
  return name;
}

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
std::string firewall_chain(std::string_view id) { return "fw-" + std::string(id); }

ElementKey service_ip_key(SetId set, std::uint32_t ip, Protocol protocol, std::uint16_t port) {
  ElementKey key{set, 0, false, 12, {}};
  put_be32(&key.bytes[0], ip);
  key.bytes[4] = static_cast<std::uint8_t>(protocol);
  put_be16(&key.bytes[8], port);
  return key;
}

ElementKey node_port_key(SetId set, Protocol protocol, std::uint16_t port) {
  ElementKey key{set, 0, false, 8, {}};
  key.bytes[0] = static_cast<std::uint8_t>(protocol);
  put_be16(&key.bytes[4], port);
  return key;
}

ElementKey range_key(std::uint32_t block, std::uint32_t value, bool end) {
  ElementKey key{SetId::endpoint_ranges, static_cast<std::uint8_t>(block % kRangeShards), end, 4, {}};
  put_be32(key.bytes.data(), value);  // interval trees compare bytes: big endian orders them
  return key;
}

std::array<std::uint8_t, kEndpointDataLen> endpoint_data(const Endpoint& endpoint) {
  std::array<std::uint8_t, kEndpointDataLen> data{};
  put_be32(&data[0], endpoint.ip);
  put_be16(&data[4], endpoint.port);
  return data;
}

ElementKey hairpin_key(std::uint32_t ip) {
  ElementKey key{SetId::hairpin, 0, false, 8, {}};
  put_be32(&key.bytes[0], ip);
  put_be32(&key.bytes[4], ip);
  return key;
}

std::string describe(const ElementKey& key) {
  const std::uint8_t* b = key.bytes.data();
  switch (key.set) {
    case SetId::service_ips:
    case SetId::no_endpoint_services:
    case SetId::firewall_ips:
      return sdk::format_ipv4(get_be32(b)) + " . " + protocol_text(b[4]) + " . " + std::to_string(get_be16(b + 8));
    case SetId::service_nodeports:
    case SetId::no_endpoint_nodeports: return protocol_text(b[0]) + " . " + std::to_string(get_be16(b + 4));
    case SetId::hairpin: return sdk::format_ipv4(get_be32(b)) + " . " + sdk::format_ipv4(get_be32(b + 4));
    case SetId::affinity: return "an affinity entry";
    case SetId::endpoint_ranges: return std::string(key.interval_end ? "range end " : "range ") + std::to_string(get_be32(b));
  }
  return "?";
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
