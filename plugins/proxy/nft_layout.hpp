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

// Hook priorities: DNAT where nft's `dstnat` is, SNAT at `srcnat`, refusals just before `filter`.
inline constexpr int kDstNatPriority = -100;
inline constexpr int kSrcNatPriority = 100;
inline constexpr int kFilterPriority = -1;

// Global sets and maps: none is per Service (per-Service maps are what makes kube-proxy's
// nftables layout slow to load here).
enum class SetId : std::uint8_t {
  service_ips,            // ip . l4proto . port : goto svc-/ext- chain (cluster, external and LB IPs)
  service_nodeports,      // l4proto . port : goto ext- chain, for local destination addresses
  no_endpoint_services,   // ip . l4proto . port of service ports nothing serves: refused
  no_endpoint_nodeports,  // l4proto . port of NodePorts nothing serves: refused
  endpoint_slots,         // slot : goto ep- chain (numgen picks a slot in a port's range)
  affinity,               // endpoint id . client ip, dynamic with timeouts (sessionAffinity)
};
inline constexpr std::array kAllSets = {SetId::service_ips,           SetId::service_nodeports,
                                        SetId::no_endpoint_services,  SetId::no_endpoint_nodeports,
                                        SetId::endpoint_slots,        SetId::affinity};

struct SetShape {
  std::string_view name;
  std::uint32_t key_type;  // nft's datatype ids (concatenations 6 bits per field), so `nft list` prints them
  std::uint32_t key_len;   // bytes: each concatenated field padded to a 32-bit register
  bool verdict_map;        // data is a verdict (goto chain)
};
const SetShape& shape(SetId set);

// The affinity set's capacity (clients × endpoints remembered at once); when full, new
// clients are balanced without being remembered until entries time out.
inline constexpr std::uint32_t kAffinitySetSize = 262144;

// A service port's short stable id: its key ("ns/name:port/proto") hashed (64-bit FNV-1a) and
// written in 13 base32 characters, the same in every process and after restarts.
std::string port_id(std::string_view key);
std::string cluster_chain(std::string_view id);                       // svc-<id>
std::string external_chain(std::string_view id);                      // ext-<id>
std::string endpoint_chain(std::string_view id, const Endpoint& ep);  // ep-<id>-<ip>-<port>

// A set element's key, bytes as the kernel compares them.
struct ElementKey {
  SetId set = SetId::service_ips;
  std::uint8_t len = 0;
  std::array<std::uint8_t, 12> bytes{};
  friend auto operator<=>(const ElementKey&, const ElementKey&) = default;
};

ElementKey service_ip_key(SetId set, std::uint32_t ip, Protocol protocol, std::uint16_t port);  // 12 bytes
ElementKey node_port_key(SetId set, Protocol protocol, std::uint16_t port);                     // 8 bytes
ElementKey slot_key(std::uint32_t slot);                                                        // 4 bytes
std::string describe(const ElementKey& key);  // "10.96.0.10 . tcp . 80" for error messages

std::string_view protocol_name(Protocol protocol);

}  // namespace skiff::proxy::nft
