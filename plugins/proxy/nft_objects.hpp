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
#include "proxy_state.hpp"
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

// sessionAffinity: `<port number> . ip saddr . <endpoint> @affinity` — this client was sent to
// this endpoint within the timeout: `dnat to <endpoint>` again, restarting the timeout.
struct DnatRemembered {
  std::uint32_t port_number = 0;
  Endpoint endpoint;
  std::uint32_t seconds = 0;
  friend bool operator==(const DnatRemembered&, const DnatRemembered&) = default;
};

// `dnat to numgen random mod 65536 offset <block start> map @endpoint-ranges-<shard>`: the
// endpoint whose range of the block the random number falls in.
struct DnatFromRanges {
  std::uint32_t block = 0;
  friend bool operator==(const DnatFromRanges&, const DnatFromRanges&) = default;
};

// With sessionAffinity, endpoints are picked by rules of their own (a change rewrites the
// chain): one endpoint of a random pick, taken with probability 1/`remaining` (`numgen random mod
// remaining == 0`; the last always): each of N endpoints in a row of these is equally likely.
// With affinity the pick is remembered for the client.
struct DnatPicked {
  std::uint32_t remaining = 1;
  Endpoint endpoint;
  std::uint32_t port_number = 0;
  std::uint32_t affinity_seconds = 0;  // 0: not remembered
  friend bool operator==(const DnatPicked&, const DnatPicked&) = default;
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

// `ct status dnat ip saddr . ip daddr @hairpin masquerade fully-random`: a pod sent to itself
// through a Service; unmasqueraded, its answer would not come back through the node's
// conntrack. Only DNATed connections: a node endpoint (the `kubernetes` Service's) would
// otherwise masquerade the node's every connection to itself.
struct MasqueradeHairpin {
  friend bool operator==(const MasqueradeHairpin&, const MasqueradeHairpin&) = default;
};

// `ip daddr <service CIDR> fib daddr type != local [meta l4proto tcp] reject …`: after DNAT, a
// packet still addressed into the service range went to an address no Service has — unless the
// node itself has that address (the DNS addon's node-local cluster DNS address, not tracked and
// so never DNATed), when it is delivered here and routed nowhere.
struct RejectServiceRange {
  sdk::Ipv4Cidr range;
  bool tcp_reset = false;
  friend bool operator==(const RejectServiceRange&, const RejectServiceRange&) = default;
};

// `ip daddr . meta l4proto . th dport vmap @firewall-ips`: LB IPs with source ranges go to
// their fw- chain.
struct DispatchFirewall {
  friend bool operator==(const DispatchFirewall&, const DispatchFirewall&) = default;
};

// `ip saddr <source> return`: an allowed source leaves the firewall chain (and goes on).
struct ReturnIfSource {
  sdk::Ipv4Cidr source{};
  friend bool operator==(const ReturnIfSource&, const ReturnIfSource&) = default;
};

struct Drop {
  friend bool operator==(const Drop&, const Drop&) = default;
};

using Rule = std::variant<MarkForMasquerade, GotoChain, JumpChain, DnatFromRanges, DnatRemembered, DnatPicked, DispatchServices,
                          RejectWithoutEndpoints, RejectServiceRange, MasqueradeMarked, MasqueradeHairpin, DispatchFirewall,
                         ReturnIfSource, Drop>;

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
  std::string target;                // the chain a verdict map's element goes to
  std::optional<Endpoint> endpoint;  // an endpoint range's endpoint (where the range starts)
  friend bool operator==(const Element&, const Element&) = default;
};

}  // namespace skiff::proxy::nft
