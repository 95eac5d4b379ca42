// The proxy table's names and key encodings: fixed chains and sets, the stable names of a
// service port's chains, and how set keys are laid out in nftables registers.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy_state.hpp"

namespace skiff::proxy::nft {

// Base chains (hooked) and the regular chains they jump to.
inline constexpr std::string_view kNatPrerouting = "nat-prerouting";
inline constexpr std::string_view kNatOutput = "nat-output";
inline constexpr std::string_view kNatPostrouting = "nat-postrouting";
inline constexpr std::string_view kFilterInput = "filter-input";
inline constexpr std::string_view kFilterForward = "filter-forward";
inline constexpr std::string_view kFilterOutput = "filter-output";
inline constexpr std::string_view kServicesChain = "services";
inline constexpr std::string_view kNoEndpointsChain = "no-endpoints";
// loadBalancerSourceRanges, before DNAT rewrites the LB IP (kube-proxy's filter-*-pre-dnat).
inline constexpr std::string_view kFilterPreroutingPreDnat = "filter-prerouting-pre-dnat";
inline constexpr std::string_view kFilterOutputPreDnat = "filter-output-pre-dnat";
inline constexpr std::string_view kFirewallCheckChain = "firewall-check";

// Hook priorities: DNAT where nft's `dstnat` is, SNAT at `srcnat`, refusals just before `filter`.
inline constexpr int kDstNatPriority = -100;
inline constexpr int kSrcNatPriority = 100;
inline constexpr int kFilterPriority = -1;
inline constexpr int kPreDnatFilterPriority = kDstNatPriority - 10;

// Global sets and maps, none per Service, none bound by more than a few hundred rules. Measured
// on this kernel (6.18) at 10k service ports: each rule that looks up a map walks all its
// elements, each element added to a map walks all rules using it, and each commit that adds a
// rule or a verdict validates every chain the hooks reach (~20 ms). Hence per-Service maps
// (kube-proxy's layout: 55 s), one slot verdict map shared by all service chains (134 ms per
// endpoint change at 1k) and one shared endpoint map (3.3 s cold) are all out. Endpoints are
// picked by `numgen random mod 65536 offset <block>` in the port's chain and looked up in an
// interval map (one of 64 shards) whose ranges divide the block among the endpoints: an
// endpoint change, even of their number, rewrites ranges only, never a rule.
enum class SetId : std::uint8_t {
  service_ips,            // ip . l4proto . port : goto svc-/ext- chain (cluster, external and LB IPs)
  service_nodeports,      // l4proto . port : goto ext- chain, for local destination addresses
  no_endpoint_services,   // ip . l4proto . port of service ports nothing serves: refused
  no_endpoint_nodeports,  // l4proto . port of NodePorts nothing serves: refused
  hairpin,                // endpoint ip . the same ip: a pod reaching itself, masqueraded
  affinity,               // port number . client ip . endpoint ip . port, dynamic with timeouts
  endpoint_ranges,        // shard s: block offset ranges : endpoint ip . port (interval map)
  firewall_ips,           // LB ip . l4proto . port with loadBalancerSourceRanges : goto fw- chain
};
inline constexpr std::array kAllSets = {SetId::service_ips,     SetId::service_nodeports, SetId::no_endpoint_services,
                                        SetId::no_endpoint_nodeports, SetId::hairpin,      SetId::affinity,
                                        SetId::endpoint_ranges, SetId::firewall_ips};

inline constexpr std::uint32_t kRangeShards = 64;
// A block is 65536 numgen values: an endpoint's share is within N/65536 of 1/N. Block b covers
// [b·65536, (b+1)·65536) of shard b % 64; the last block is kept free so no range ends at 2^32.
inline constexpr std::uint32_t kBlockWidth = 65536;
inline constexpr std::uint32_t kBlockCount = 65535;

struct SetShape {
  std::string_view name;   // shards add "-<n>"
  std::uint32_t key_type;  // nft's datatype ids (concatenations 6 bits per field), so `nft list` prints them
  std::uint32_t key_len;   // bytes: each concatenated field padded to a 32-bit register
  enum class Data : std::uint8_t { none, verdict, endpoint } data;  // endpoint: ip . port, 8 bytes
};
const SetShape& shape(SetId set);
std::string set_name(SetId set, std::uint32_t shard = 0);
inline constexpr std::uint32_t kEndpointDataType = 7u << 6 | 13u;  // ipv4_addr . inet_service
inline constexpr std::uint32_t kEndpointDataLen = 8;

// The affinity set's capacity (clients × endpoints remembered at once); when full, new
// clients are balanced without being remembered until entries time out.
inline constexpr std::uint32_t kAffinitySetSize = 262144;

// A service port's short stable id: its key ("ns/name:port/proto") hashed (64-bit FNV-1a) and
// written in 13 base32 characters, the same in every process and after restarts.
std::string port_id(std::string_view key);
std::string cluster_chain(std::string_view id);   // svc-<id>
std::string external_chain(std::string_view id);  // ext-<id>
std::string firewall_chain(std::string_view id);  // fw-<id>

// A set element's key, bytes as the kernel compares them.
struct ElementKey {
  SetId set = SetId::service_ips;
  std::uint8_t shard = 0;
  bool interval_end = false;  // interval maps: where a range ends (exclusive)
  std::uint8_t len = 0;
  std::array<std::uint8_t, 12> bytes{};
  friend auto operator<=>(const ElementKey&, const ElementKey&) = default;
};

ElementKey service_ip_key(SetId set, std::uint32_t ip, Protocol protocol, std::uint16_t port);  // 12 bytes
ElementKey node_port_key(SetId set, Protocol protocol, std::uint16_t port);                     // 8 bytes
ElementKey hairpin_key(std::uint32_t ip);                                                       // 8 bytes
// 4 bytes, network order, in the block's shard (a block's last range ends on the next block's first value).
ElementKey range_key(std::uint32_t block, std::uint32_t value, bool end);
// An endpoint as map data (ip . port), as the nat expression reads it from two registers.
std::array<std::uint8_t, kEndpointDataLen> endpoint_data(const Endpoint& endpoint);
std::string describe(const ElementKey& key);  // "10.96.0.10 . tcp . 80" for error messages

std::string_view protocol_name(Protocol protocol);

}  // namespace skiff::proxy::nft
