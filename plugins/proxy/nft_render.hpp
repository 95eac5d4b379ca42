// A service port as proxy-table objects (chains of rules, set elements), and the table's fixed
// part: pure functions of the desired state and the port's allocation, so that the programmer
// can render what is applied and what is wanted and send only the difference.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nft_objects.hpp"
#include "proxy_state.hpp"

namespace skiff::proxy::nft {

// What a service port holds besides its spec, kept while it lives.
struct PortAllocation {
  std::string id;                              // port_id(key): names its chains
  std::uint32_t number = 0;                    // keys its affinity entries; never reused, so stale ones match nothing
  std::optional<std::uint32_t> cluster_block;  // its endpoint ranges (ports without affinity)
  std::optional<std::uint32_t> external_block; // when external endpoints differ from the cluster ones
  friend bool operator==(const PortAllocation&, const PortAllocation&) = default;
};

struct PortObjects {
  std::vector<Chain> chains;  // fw- (alone), svc-, then ext- (which may go to svc-)
  std::vector<Element> elements;
};

// Which chains a port needs, and which blocks of endpoint ranges.
bool has_cluster_chain(const ServicePort& port);
bool has_external_chain(const ServicePort& port);
bool has_firewall_chain(const ServicePort& port);  // loadBalancerSourceRanges on LB IPs
bool needs_cluster_block(const ServicePort& port);
bool needs_external_block(const ServicePort& port);

// The endpoint addresses the port's chains can send to, without repeats (hairpin elements are
// shared by ports, so the programmer counts them rather than rendering them per port).
std::vector<std::uint32_t> endpoint_ips(const ServicePort& port);

PortObjects render_port(const std::string& key, const ServicePort& port, const PortAllocation& allocation,
                        const TableOptions& options);

// Base chains (hooked and the two dispatch chains) with their rules.
std::vector<Chain> render_base_chains(const TableOptions& options);

}  // namespace skiff::proxy::nft
