// A service port rendered as chains and elements; the table's fixed chains (see nft_render.hpp).
#include "nft_render.hpp"

#include <linux/netfilter.h>

#include <algorithm>
#include <set>

namespace skiff::proxy::nft {

namespace {

using When = MarkForMasquerade::When;

bool has_external_traffic(const ServicePort& port) { return port.node_port != 0 || !port.external_ips.empty(); }

// Affinity checks (when the port has affinity), then a random slot in the port's range.
void add_endpoint_choice(std::vector<Rule>& rules, const std::string& id, const ServicePort& port,
                         const std::vector<Endpoint>& endpoints, SlotRange range, const PortAllocation& allocation) {
  if (port.affinity_seconds > 0) {
    std::set<Endpoint> seen;
    for (const auto& ep : endpoints)
      if (seen.insert(ep).second) rules.push_back(AffinityGoto{allocation.endpoint_ids.at(ep), endpoint_chain(id, ep)});
  }
  rules.push_back(PickEndpointSlot{static_cast<std::uint32_t>(endpoints.size()), range.base});
}

Chain cluster_chain_of(const std::string& key, const ServicePort& port, const PortAllocation& allocation,
                       const TableOptions& options) {
  Chain chain{cluster_chain(allocation.id), key, {}, std::nullopt};
  if (options.cluster_cidr) chain.rules.push_back(MarkForMasquerade{When::source_outside, *options.cluster_cidr});
  add_endpoint_choice(chain.rules, allocation.id, port, port.cluster_endpoints, allocation.cluster, allocation);
  return chain;
}

// externalTrafficPolicy Local keeps the client's address, so only the node's own traffic (which
// has to be masqueraded) and pods' traffic may use endpoints elsewhere: the cluster chain.
Chain external_chain_of(const std::string& key, const ServicePort& port, const PortAllocation& allocation,
                        const TableOptions& options) {
  Chain chain{external_chain(allocation.id), key, {}, std::nullopt};
  auto& rules = chain.rules;
  if (!port.external_local) {
    rules.push_back(MarkForMasquerade{When::always, {}});
  } else {
    rules.push_back(MarkForMasquerade{When::source_local, {}});
    if (has_cluster_chain(port)) {
      rules.push_back(GotoChain{GotoChain::When::source_local, {}, cluster_chain(allocation.id)});
      if (options.cluster_cidr)
        rules.push_back(GotoChain{GotoChain::When::source_in, *options.cluster_cidr, cluster_chain(allocation.id)});
    }
  }
  if (port.external_endpoints.empty())
    rules.push_back(Drop{});
  else
    add_endpoint_choice(rules, allocation.id, port, port.external_endpoints,
                        shares_cluster_slots(port) ? allocation.cluster : allocation.external, allocation);
  return chain;
}

Chain endpoint_chain_of(const ServicePort& port, const Endpoint& ep, const PortAllocation& allocation) {
  Chain chain{endpoint_chain(allocation.id, ep), {}, {}, std::nullopt};
  chain.rules.reserve(3);
  chain.rules.emplace_back(MarkForMasquerade{When::source_in, sdk::Ipv4Cidr{ep.ip, 32}});  // hairpin
  if (port.affinity_seconds > 0)
    chain.rules.emplace_back(RememberClient{allocation.endpoint_ids.at(ep), port.affinity_seconds});
  chain.rules.emplace_back(DnatToEndpoint{port.protocol, ep});
  return chain;
}

void add_slots(std::vector<Element>& elements, const std::string& id, const std::vector<Endpoint>& endpoints,
               SlotRange range) {
  for (std::uint32_t i = 0; i < endpoints.size(); ++i)
    elements.push_back({slot_key(range.base + i), endpoint_chain(id, endpoints[i])});
}

void add_address_elements(std::vector<Element>& elements, const ServicePort& port, const PortAllocation& allocation) {
  bool cluster = has_cluster_chain(port);
  for (auto ip : port.cluster_ips) {
    if (cluster)
      elements.push_back({service_ip_key(SetId::service_ips, ip, port.protocol, port.port), cluster_chain(allocation.id)});
    else
      elements.push_back({service_ip_key(SetId::no_endpoint_services, ip, port.protocol, port.port), {}});
  }
  bool external = has_external_chain(port);
  for (auto ip : port.external_ips) {
    if (external)
      elements.push_back({service_ip_key(SetId::service_ips, ip, port.protocol, port.port), external_chain(allocation.id)});
    else
      elements.push_back({service_ip_key(SetId::no_endpoint_services, ip, port.protocol, port.port), {}});
  }
  if (port.node_port == 0) return;
  if (external)
    elements.push_back({node_port_key(SetId::service_nodeports, port.protocol, port.node_port), external_chain(allocation.id)});
  else
    elements.push_back({node_port_key(SetId::no_endpoint_nodeports, port.protocol, port.node_port), {}});
}

Chain hooked(std::string_view name, Hook::Type type, unsigned hook, int priority, std::vector<Rule> rules) {
  return Chain{std::string(name), {}, std::move(rules), Hook{type, hook, priority}};
}

Chain regular(std::string_view name, std::vector<Rule> rules) {
  return Chain{std::string(name), {}, std::move(rules), std::nullopt};
}

}  // namespace

bool has_cluster_chain(const ServicePort& port) { return !port.cluster_endpoints.empty(); }

// External traffic nothing can serve is refused instead (the no-endpoint sets).
bool has_external_chain(const ServicePort& port) {
  if (!has_external_traffic(port)) return false;
  return !port.external_endpoints.empty() || (port.external_local && has_cluster_chain(port));
}

bool shares_cluster_slots(const ServicePort& port) {
  return has_cluster_chain(port) && port.external_endpoints == port.cluster_endpoints;
}

std::vector<Endpoint> all_endpoints(const ServicePort& port) {
  std::set<Endpoint> all(port.cluster_endpoints.begin(), port.cluster_endpoints.end());
  all.insert(port.external_endpoints.begin(), port.external_endpoints.end());
  return {all.begin(), all.end()};
}

PortObjects render_port(const std::string& key, const ServicePort& port, const PortAllocation& allocation,
                        const TableOptions& options) {
  PortObjects objects;
  bool cluster = has_cluster_chain(port);
  bool external = has_external_chain(port);
  if (cluster || external)
    for (const auto& ep : all_endpoints(port)) objects.chains.push_back(endpoint_chain_of(port, ep, allocation));
  if (cluster) {
    objects.chains.push_back(cluster_chain_of(key, port, allocation, options));
    add_slots(objects.elements, allocation.id, port.cluster_endpoints, allocation.cluster);
  }
  if (external) {
    objects.chains.push_back(external_chain_of(key, port, allocation, options));
    if (!shares_cluster_slots(port))
      add_slots(objects.elements, allocation.id, port.external_endpoints, allocation.external);
  }
  add_address_elements(objects.elements, port, allocation);
  return objects;
}

std::vector<Chain> render_base_chains() {
  using T = Hook::Type;
  std::vector<Chain> chains;
  chains.push_back(regular(kServicesChain, {DispatchServices{false}, DispatchServices{true}}));
  chains.push_back(regular(kNoEndpointsChain, {RejectWithoutEndpoints{false, true}, RejectWithoutEndpoints{false, false},
                                               RejectWithoutEndpoints{true, true}, RejectWithoutEndpoints{true, false}}));
  chains.push_back(hooked(kNatPrerouting, T::nat, NF_INET_PRE_ROUTING, kDstNatPriority, {JumpChain{std::string(kServicesChain)}}));
  chains.push_back(hooked(kNatOutput, T::nat, NF_INET_LOCAL_OUT, kDstNatPriority, {JumpChain{std::string(kServicesChain)}}));
  chains.push_back(hooked(kNatPostrouting, T::nat, NF_INET_POST_ROUTING, kSrcNatPriority, {MasqueradeMarked{}}));
  JumpChain refuse{std::string(kNoEndpointsChain), true};
  chains.push_back(hooked(kFilterInput, T::filter, NF_INET_LOCAL_IN, kFilterPriority, {refuse}));
  chains.push_back(hooked(kFilterForward, T::filter, NF_INET_FORWARD, kFilterPriority, {refuse}));
  chains.push_back(hooked(kFilterOutput, T::filter, NF_INET_LOCAL_OUT, kFilterPriority, {refuse}));
  return chains;
}

}  // namespace skiff::proxy::nft
