// What the proxy table holds, as plain values: the rules it uses (a small closed vocabulary),
// chains of them and set elements. Rendering produces these; the programmer diffs them and
// nft_rules turns them into netlink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "nft_layout.hpp"
#include "skiff/sdk/cidr.hpp"

namespace skiff::proxy::nft {

// `meta mark set meta mark | M` when the source matches.
struct MarkForMasquerade {
  enum class When : std::uint8_t { always, source_outside, source_in, source_local } when = When::always;
  sdk::Ipv4Cidr source{};  // for source_outside / source_in
  friend bool operator==(const MarkForMasquerade&, const MarkForMasquerade&) = default;
};

// `goto <chain>` when the source matches.
struct GotoChain {
  enum class When : std::uint8_t { always, source_in, source_local } when = When::always;
  sdk::Ipv4Cidr source{};
  std::string chain;
  friend bool operator==(const GotoChain&, const GotoChain&) = default;
};

// `jump <chain>`, for new connections only when `new_only`.
struct JumpChain {
  std::string chain;
  bool new_only = false;
  friend bool operator==(const JumpChain&, const JumpChain&) = default;
};

// `<endpoint id> . ip saddr @affinity goto <chain>`: a client this endpoint served recently.
struct AffinityGoto {
  std::uint32_t endpoint_id = 0;
  std::string chain;
  friend bool operator==(const AffinityGoto&, const AffinityGoto&) = default;
};

// `update @affinity { <endpoint id> . ip saddr timeout <seconds>s }`
struct RememberClient {
  std::uint32_t endpoint_id = 0;
  std::uint32_t seconds = 0;
  friend bool operator==(const RememberClient&, const RememberClient&) = default;
};

// `numgen random mod <count> offset <base> vmap @endpoint-slots`
struct PickEndpointSlot {
  std::uint32_t count = 0;
  std::uint32_t base = 0;
  friend bool operator==(const PickEndpointSlot&, const PickEndpointSlot&) = default;
};

// `meta l4proto <p> dnat to <ip>:<port>`
struct DnatToEndpoint {
  Protocol protocol = Protocol::tcp;
  Endpoint endpoint;
  friend bool operator==(const DnatToEndpoint&, const DnatToEndpoint&) = default;
};

// `ip daddr . meta l4proto . th dport vmap @service-ips` and its NodePort twin
// `fib daddr type local meta l4proto . th dport vmap @service-nodeports`.
struct DispatchServices {
  bool node_ports = false;
  friend bool operator==(const DispatchServices&, const DispatchServices&) = default;
};

// Refuse what @no-endpoint-services (or @no-endpoint-nodeports for local destinations) lists:
// with a TCP reset (`tcp_reset`, TCP only) or ICMP port unreachable.
struct RejectWithoutEndpoints {
  bool node_ports = false;
  bool tcp_reset = false;
  friend bool operator==(const RejectWithoutEndpoints&, const RejectWithoutEndpoints&) = default;
};

// `meta mark & M == M meta mark set meta mark ^ M masquerade fully-random`
struct MasqueradeMarked {
  friend bool operator==(const MasqueradeMarked&, const MasqueradeMarked&) = default;
};

struct Drop {
  friend bool operator==(const Drop&, const Drop&) = default;
};

using Rule = std::variant<MarkForMasquerade, GotoChain, JumpChain, AffinityGoto, RememberClient, PickEndpointSlot,
                          DnatToEndpoint, DispatchServices, RejectWithoutEndpoints, MasqueradeMarked, Drop>;

struct Hook {
  enum class Type : std::uint8_t { nat, filter } type = Type::nat;
  unsigned number = 0;  // NF_INET_PRE_ROUTING …
  int priority = 0;
  friend bool operator==(const Hook&, const Hook&) = default;
};

struct Chain {
  std::string name;
  std::string comment;  // the service port's key, for people reading `nft list`
  std::vector<Rule> rules;
  std::optional<Hook> hook;
  friend bool operator==(const Chain&, const Chain&) = default;
};

struct Element {
  ElementKey key;
  std::string target;  // the chain a verdict map's element jumps to (goto); empty in plain sets
  friend bool operator==(const Element&, const Element&) = default;
};

}  // namespace skiff::proxy::nft
