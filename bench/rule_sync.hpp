// Rule-sync timings, each contender in a fresh network namespace of its own: Skiff's
// NftProgrammer (cold start, then endpoint changes, each apply() ending with the kernel's ack)
// and kube-proxy's mechanisms replayed through the real tools (wall time of each process).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace skiff::bench {

struct SyncFigures {
  explicit SyncFigures(std::string what) : name(std::move(what)) {}
  std::string name;
  double full_seconds = 0;      // cold start / full load
  bool full_capped = false;     // killed at the cap: full_seconds is the cap
  std::vector<double> change_ms;
  std::vector<double> kernel_ms;  // Skiff only: sendmsg to the kernel's answer, inside change_ms
  std::string note;             // e.g. the programmer's object counts
  bool budget_spent = false;    // fewer changes than asked: the time budget ran out
};

// Stops changing once `budget` has passed (a slow programmer still finishes the run).
SyncFigures measure_skiff(std::size_t services, std::size_t changes, std::chrono::seconds budget);

enum class Peer {
  iptables_legacy,  // iptables-legacy-restore
  iptables_nft,     // iptables-nft-restore
  nft,              // nft -f, kube-proxy's nftables layout
};
// iptables peers give two figures for the changes: kube-proxy's partial restore and the
// changed chains alone (alternating, `changes` of each); nft gives one.
std::vector<SyncFigures> measure_peer(Peer peer, std::size_t services, std::size_t changes, std::chrono::seconds cap);

// The nearest-rank percentile (0 < p ≤ 100) of unsorted samples.
double percentile(std::vector<double> samples, double p);

}  // namespace skiff::bench
