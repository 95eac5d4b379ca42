// What kube-proxy hands to the kernel's tools for the synthetic cluster, replayed as text: its
// iptables layout as `iptables-restore --noflush` input (full load and the partial restore of
// one changed Service) and its nftables layout as `nft -f` input (full load and one change).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "synthetic_services.hpp"

namespace skiff::bench {

// The filter and nat tables with KUBE-SERVICES → KUBE-SVC-* (statistic random) → KUBE-SEP-*
// DNAT and KUBE-MARK-MASQ / KUBE-POSTROUTING, plus the base chains' jumps.
std::string iptables_full(const SyntheticCluster& cluster);

enum class IptablesDelta {
  // What kube-proxy ≥ 1.26 writes for one changed Service (MinimizeIPTablesRestore): the
  // fixed chains, KUBE-SERVICES whole (a rule per Service), and the changed Service's chains.
  kube_proxy,
  // Only the changed Service's SVC/SEP chains: the least any iptables-restore delta can be.
  changed_chains_only,
};
std::string iptables_delta(const SyntheticCluster& cluster, std::size_t changed, IptablesDelta scope);

// kube-proxy's nftables layout: a service-ips verdict map, a chain per Service with an
// anonymous `numgen random mod 2 vmap`, a chain per endpoint.
std::string nft_full(const SyntheticCluster& cluster);
// One changed Service as kube-proxy's partial sync sends it: the fixed part re-asserted, the
// Service's chains flushed and rewritten (the new endpoint's chain added), the replaced
// endpoint's chain flushed (kube-proxy deletes stale chains a second later, in another
// transaction), and the Service's map element.
std::string nft_delta(const SyntheticCluster& cluster, std::size_t changed, std::uint32_t old_endpoint);

}  // namespace skiff::bench
