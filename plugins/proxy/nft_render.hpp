// A service port as proxy-table objects (chains of rules, set elements), and the table's fixed
// part: pure functions of the desired state and the port's allocation, so that the programmer
// can render what is applied and what is wanted and send only the difference.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nft_objects.hpp"
#include "proxy_state.hpp"
#include "slot_allocator.hpp"

namespace skiff::proxy::nft {

// What a service port holds besides its spec: kept while it lives so deltas keep names,
// slot ranges and affinity ids.
struct PortAllocation {
  std::string id;                                   // port_id(key)
  SlotRange cluster;                                // for cluster_endpoints
  SlotRange external;                               // for external_endpoints
  std::map<Endpoint, std::uint32_t> endpoint_ids;   // affinity key of each endpoint chain
  friend bool operator==(const PortAllocation&, const PortAllocation&) = default;
};

struct PortObjects {
  std::vector<Chain> chains;  // endpoint chains first, then svc-, then ext-
  std::vector<Element> elements;
};

// Which chains a port needs (so allocation knows what to reserve).
bool has_cluster_chain(const ServicePort& port);
bool has_external_chain(const ServicePort& port);
// External traffic picks among the cluster chain's slots when both choose among the same
// endpoints (externalTrafficPolicy Cluster): no second range, no second set of elements.
bool shares_cluster_slots(const ServicePort& port);

// Every endpoint the port's chains send to (cluster and external, without repeats).
std::vector<Endpoint> all_endpoints(const ServicePort& port);

PortObjects render_port(const std::string& key, const ServicePort& port, const PortAllocation& allocation,
                        const TableOptions& options);

// Base chains (hooked and the two dispatch chains) with their rules.
std::vector<Chain> render_base_chains();

}  // namespace skiff::proxy::nft
