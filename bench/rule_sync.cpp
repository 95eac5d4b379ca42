// Skiff's programmer and kube-proxy's tools timed on the same synthetic cluster (see rule_sync.hpp).
#include "rule_sync.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "kube_proxy_replay.hpp"
#include "netns_exec.hpp"
#include "nft_programmer.hpp"
#include "skiff/testing/temp_dir.hpp"
#include "synthetic_services.hpp"

namespace skiff::bench {

namespace {

using Clock = std::chrono::steady_clock;

double ms(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::vector<std::string> command_of(Peer peer) {
  // The flags kube-proxy passes; nft reads the transaction from stdin as knftables does.
  switch (peer) {
    case Peer::iptables_legacy: return {"iptables-legacy-restore", "-w", "5", "-W", "100000", "--noflush", "--counters"};
    case Peer::iptables_nft: return {"iptables-nft-restore", "-w", "5", "-W", "100000", "--noflush", "--counters"};
    case Peer::nft: return {"nft", "-f", "-"};
  }
  return {};
}

std::string name_of(Peer peer) {
  switch (peer) {
    case Peer::iptables_legacy: return "iptables-legacy-restore";
    case Peer::iptables_nft: return "iptables-nft-restore";
    case Peer::nft: return "nft -f (kube-proxy nftables layout)";
  }
  return "";
}

// One run of the tool on `text`; throws when it fails (a bad replay would time nothing real).
TimedRun feed(Peer peer, const std::string& text, const std::string& path, std::chrono::seconds cap) {
  std::ofstream(path, std::ios::trunc) << text;
  TimedRun run = run_timed(command_of(peer), path, cap);
  if (!run.timed_out && run.exit_code != 0)
    throw std::runtime_error(name_of(peer) + " refused the replayed input (exit " + std::to_string(run.exit_code) +
                             "): " + run.output.substr(0, 2000));
  return run;
}

}  // namespace

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

SyncFigures measure_skiff(std::size_t services, std::size_t changes, std::chrono::seconds budget) {
  SyncFigures figures("Skiff (NftProgrammer, netlink)");
  SyntheticCluster cluster(services);
  in_fresh_netns([&] {
    proxy::TableOptions options;
    options.cluster_cidr = sdk::Ipv4Cidr::parse("10.244.0.0/16");
    proxy::NftProgrammer programmer(options);
    auto state = cluster.proxy_state();
    auto started = Clock::now();
    programmer.apply(state);
    figures.full_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    auto deadline = Clock::now() + budget;
    proxy::ApplyStats last;
    for (std::size_t c = 0; c < changes; ++c) {
      if (Clock::now() >= deadline) {
        figures.budget_spent = true;
        break;
      }
      std::size_t service = cluster.service_for_change(c);
      cluster.replace_endpoint(service);
      cluster.update(state, service);
      started = Clock::now();
      auto stats = programmer.apply(state);
      figures.change_ms.push_back(ms(Clock::now() - started));
      figures.kernel_ms.push_back(ms(stats.kernel));
      last = stats;
      if (stats.ports_changed != 1)
        throw std::logic_error("an endpoint change was applied as " + std::to_string(stats.ports_changed) + " port changes");
    }
    figures.note = std::to_string(programmer.chain_count()) + " chains, " + std::to_string(programmer.rule_count()) +
                   " rules, " + std::to_string(programmer.element_count()) + " set elements; a change is " +
                   std::to_string(last.messages) + " netlink messages (" + std::to_string(last.bytes) + " bytes)";
  });
  return figures;
}

std::vector<SyncFigures> measure_peer(Peer peer, std::size_t services, std::size_t changes, std::chrono::seconds cap) {
  bool iptables = peer != Peer::nft;
  std::vector<SyncFigures> figures{SyncFigures(name_of(peer) + (iptables ? " (kube-proxy partial restore)" : ""))};
  if (iptables) figures.emplace_back(name_of(peer) + " (changed chains only)");
  SyntheticCluster cluster(services);
  test::TempDir dir;
  std::string input = dir.file("input");
  in_fresh_netns([&] {
    std::string full = peer == Peer::nft ? nft_full(cluster) : iptables_full(cluster);
    TimedRun load = feed(peer, full, input, cap);
    figures[0].full_seconds = load.seconds();
    figures[0].full_capped = load.timed_out;
    figures[0].note = std::to_string(std::count(full.begin(), full.end(), '\n')) + " lines loaded";
    if (load.timed_out) return;  // the table is not there: no change would mean anything
    for (std::size_t c = 0; c < changes * figures.size(); ++c) {
      std::size_t service = cluster.service_for_change(c);
      std::uint32_t old_endpoint = cluster.replace_endpoint(service);
      std::size_t variant = c % figures.size();
      std::string delta = peer == Peer::nft ? nft_delta(cluster, service, old_endpoint)
                                            : iptables_delta(cluster, service, variant == 0 ? IptablesDelta::kube_proxy
                                                                                            : IptablesDelta::changed_chains_only);
      TimedRun run = feed(peer, delta, input, cap);
      if (run.timed_out) throw std::runtime_error(name_of(peer) + ": one change took longer than the cap");
      figures[variant].change_ms.push_back(run.millis());
    }
  });
  return figures;
}

}  // namespace skiff::bench
