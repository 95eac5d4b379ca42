// A service port rendered as chains and elements; the table's fixed chains (see nft_render.hpp).
#include "nft_render.hpp"

#include <linux/netfilter.h>

#include <set>

namespace skiff::proxy::nft {

namespace {

using When = MarkForMasquerade::When;

bool has_external_traffic(const ServicePort& port) { return port.node_port != 0 || !port.external_ips.empty(); }

// Endpoint i owns [i·W/N, (i+1)·W/N) of the block, W its width: shares within N/W of each other.
void add_ranges(std::vector<Element>& elements, const std::vector<Endpoint>& endpoints, std::uint32_t block) {
  std::uint64_t start = std::uint64_t{block} * kBlockWidth;
  std::uint64_t count = endpoints.size();
  for (std::uint64_t i = 0; i < count; ++i) {
    auto from = static_cast<std::uint32_t>(start + i * kBlockWidth / count);
    auto to = static_cast<std::uint32_t>(start + (i + 1) * kBlockWidth / count);
    elements.push_back(Element{range_key(block, from, false), {}, endpoints[i]});
    elements.push_back(Element{range_key(block, to, true), {}, std::nullopt});
  }
}

// Random among the endpoints: through ranges, or (sessionAffinity) through rules that check the
// client's remembered endpoint first.
void add_endpoint_choice(PortObjects& objects, std::vector<Rule>& rules, const ServicePort& port,
                         const std::vector<Endpoint>& endpoints, std::optional<std::uint32_t> block,
                         bool render_ranges, const PortAllocation& allocation) {
  if (block) {
    rules.emplace_back(DnatFromRanges{*block});
    if (render_ranges) add_ranges(objects.elements, endpoints, *block);
    return;
  }
  std::set<Endpoint> seen;
  for (const auto& ep : endpoints)
    if (seen.insert(ep).second) rules.emplace_back(DnatRemembered{allocation.number, ep, port.affinity_seconds});
  auto count = static_cast<std::uint32_t>(endpoints.size());
  for (std::uint32_t i = 0; i < count; ++i)
    rules.emplace_back(DnatPicked{count - i, endpoints[i], allocation.number, port.affinity_seconds});
}

Chain cluster_chain_of(PortObjects& objects, const std::string& key, const ServicePort& port,
                       const PortAllocation& allocation, const TableOptions& options) {
  Chain chain{cluster_chain(allocation.id), key, {}, std::nullopt};
  if (options.cluster_cidr) chain.rules.emplace_back(MarkForMasquerade{When::source_outside, *options.cluster_cidr});
  add_endpoint_choice(objects, chain.rules, port, port.cluster_endpoints, allocation.cluster_block, true, allocation);
  return chain;
}

// externalTrafficPolicy Local keeps the client's address, so only the node's own traffic (which
// has to be masqueraded) and pods' traffic may use endpoints elsewhere: the cluster chain.
Chain external_chain_of(PortObjects& objects, const std::string& key, const ServicePort& port,
                        const PortAllocation& allocation, const TableOptions& options) {
  Chain chain{external_chain(allocation.id), key, {}, std::nullopt};
  auto& rules = chain.rules;
  if (!port.external_local) {
    rules.emplace_back(MarkForMasquerade{When::always, {}});
  } else {
    rules.emplace_back(MarkForMasquerade{When::source_local, {}});
    if (has_cluster_chain(port)) {
      rules.emplace_back(GotoChain{GotoChain::When::source_local, {}, cluster_chain(allocation.id)});
      if (options.cluster_cidr)
        rules.emplace_back(GotoChain{GotoChain::When::source_in, *options.cluster_cidr, cluster_chain(allocation.id)});
    }
  }
  if (port.external_endpoints.empty())
    rules.emplace_back(Drop{});
  else
    add_endpoint_choice(objects, rules, port, port.external_endpoints,
                        needs_external_block(port) ? allocation.external_block : allocation.cluster_block,
                        needs_external_block(port), allocation);
  return chain;
}

// loadBalancerSourceRanges: an allowed source returns to the hook and goes on to the DNAT;
// any other is dropped (kube-proxy drops too, so a client outside times out).
Chain firewall_chain_of(const std::string& key, const ServicePort& port, const PortAllocation& allocation) {
  Chain chain{firewall_chain(allocation.id), key, {}, std::nullopt};
  for (const auto& range : port.source_ranges) chain.rules.emplace_back(ReturnIfSource{range});
  chain.rules.emplace_back(Drop{});
  return chain;
}

void add_firewall_elements(std::vector<Element>& elements, const ServicePort& port, const PortAllocation& allocation) {
  for (auto ip : port.firewalled_ips)
    elements.push_back(Element{service_ip_key(SetId::firewall_ips, ip, port.protocol, port.port),
                               firewall_chain(allocation.id), std::nullopt});
}

// Addresses of a port that can be served go to its chains; the others are refused.
void add_address_elements(std::vector<Element>& elements, const ServicePort& port, const PortAllocation& allocation) {
  auto address = [&](std::uint32_t ip, bool served, const std::string& chain) {
    SetId set = served ? SetId::service_ips : SetId::no_endpoint_services;
    elements.push_back(Element{service_ip_key(set, ip, port.protocol, port.port), served ? chain : "", std::nullopt});
  };
  bool cluster = has_cluster_chain(port);
  bool external = has_external_chain(port);
  for (auto ip : port.cluster_ips) address(ip, cluster, cluster_chain(allocation.id));
  for (auto ip : port.external_ips) address(ip, external, external_chain(allocation.id));
  if (port.node_port == 0) return;
  SetId set = external ? SetId::service_nodeports : SetId::no_endpoint_nodeports;
  elements.push_back(
      Element{node_port_key(set, port.protocol, port.node_port), external ? external_chain(allocation.id) : "", std::nullopt});
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

bool needs_cluster_block(const ServicePort& port) { return port.affinity_seconds == 0 && has_cluster_chain(port); }

// External traffic picks from the cluster block when both choose among the same endpoints
// (externalTrafficPolicy Cluster): no second block, no second set of ranges.
bool needs_external_block(const ServicePort& port) {
  if (port.affinity_seconds != 0 || !has_external_chain(port) || port.external_endpoints.empty()) return false;
  return !(has_cluster_chain(port) && port.external_endpoints == port.cluster_endpoints);
}

std::vector<std::uint32_t> endpoint_ips(const ServicePort& port) {
  std::set<std::uint32_t> ips;
  if (has_cluster_chain(port))
    for (const auto& ep : port.cluster_endpoints) ips.insert(ep.ip);
  if (has_external_chain(port))
    for (const auto& ep : port.external_endpoints) ips.insert(ep.ip);
  return {ips.begin(), ips.end()};
}

bool has_firewall_chain(const ServicePort& port) { return !port.source_ranges.empty() && !port.firewalled_ips.empty(); }

PortObjects render_port(const std::string& key, const ServicePort& port, const PortAllocation& allocation,
                        const TableOptions& options) {
  PortObjects objects;
  if (has_firewall_chain(port)) {
    objects.chains.push_back(firewall_chain_of(key, port, allocation));
    add_firewall_elements(objects.elements, port, allocation);
  }
  if (has_cluster_chain(port)) objects.chains.push_back(cluster_chain_of(objects, key, port, allocation, options));
  if (has_external_chain(port)) objects.chains.push_back(external_chain_of(objects, key, port, allocation, options));
  add_address_elements(objects.elements, port, allocation);
  return objects;
}

std::vector<Chain> render_base_chains(const TableOptions& options) {
  using T = Hook::Type;
  std::vector<Chain> chains;
  chains.push_back(regular(kServicesChain, {DispatchServices{false}, DispatchServices{true}}));
  chains.push_back(regular(kFirewallCheckChain, {DispatchFirewall{}}));
  chains.push_back(hooked(kFilterPreroutingPreDnat, T::filter, NF_INET_PRE_ROUTING, kPreDnatFilterPriority,
                          {JumpChain{std::string(kFirewallCheckChain)}}));
  chains.push_back(hooked(kFilterOutputPreDnat, T::filter, NF_INET_LOCAL_OUT, kPreDnatFilterPriority,
                          {JumpChain{std::string(kFirewallCheckChain)}}));
  chains.push_back(regular(kNoEndpointsChain, {RejectWithoutEndpoints{false, true}, RejectWithoutEndpoints{false, false},
                                               RejectWithoutEndpoints{true, true}, RejectWithoutEndpoints{true, false}}));
  chains.push_back(hooked(kNatPrerouting, T::nat, NF_INET_PRE_ROUTING, kDstNatPriority, {JumpChain{std::string(kServicesChain)}}));
  chains.push_back(hooked(kNatOutput, T::nat, NF_INET_LOCAL_OUT, kDstNatPriority, {JumpChain{std::string(kServicesChain)}}));
  chains.push_back(hooked(kNatPostrouting, T::nat, NF_INET_POST_ROUTING, kSrcNatPriority,
                          {MasqueradeMarked{}, MasqueradeHairpin{}}));
  JumpChain refuse{std::string(kNoEndpointsChain), true};
  chains.push_back(hooked(kFilterInput, T::filter, NF_INET_LOCAL_IN, kFilterPriority, {refuse}));
  std::vector<Rule> refuse_passing{refuse};
  if (options.service_cidr) {
    refuse_passing.push_back(RejectServiceRange{*options.service_cidr, true});
    refuse_passing.push_back(RejectServiceRange{*options.service_cidr, false});
  }
  chains.push_back(hooked(kFilterForward, T::filter, NF_INET_FORWARD, kFilterPriority, refuse_passing));
  chains.push_back(hooked(kFilterOutput, T::filter, NF_INET_LOCAL_OUT, kFilterPriority, refuse_passing));
  return chains;
}

}  // namespace skiff::proxy::nft
