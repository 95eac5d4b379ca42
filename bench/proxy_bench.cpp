// Services: rule sync of Skiff's nftables programmer against kube-proxy's mechanisms replayed
// on the same kernel (iptables-legacy-restore, iptables-nft-restore, nft -f with kube-proxy's
// nftables layout), and the data plane through a ClusterIP against a direct pod connection
// and haproxy (TCP mode), all in network namespaces made here. Needs root.
// `proxy_bench [all|sync|skiff|data] [SERVICES…]` (default: all, 1000 and 10000 Services;
// `skiff` times only Skiff's programmer, for work on it).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "netns_exec.hpp"
#include "nft_programmer.hpp"
#include "rule_sync.hpp"
#include "service_lab.hpp"
#include "skiff/sdk/cidr.hpp"
#include "synthetic_services.hpp"

namespace {

using namespace skiff;
using namespace skiff::bench;
using Clock = std::chrono::steady_clock;

constexpr auto kPeerCap = std::chrono::seconds(120);
constexpr auto kSkiffBudget = std::chrono::seconds(15);  // for its 200 changes
constexpr int kRounds = 3;
constexpr int kWrkSeconds = 2;

std::string range(std::vector<double> values, const char* format) {
  if (values.empty()) return "—";
  std::sort(values.begin(), values.end());
  char low[32], high[32];
  std::snprintf(low, sizeof low, format, values.front());
  std::snprintf(high, sizeof high, format, values.back());
  return std::string(low) == high ? std::string(low) : std::string(low) + "–" + high;
}

std::string fixed(double value, const char* format) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string met(bool ok) { return ok ? "met" : "MISSED"; }

std::string times(double ratio) { return fixed(ratio, ratio >= 10 ? "%.0f×" : "%.2f×"); }

// ---- rule sync ----

void print_sync_row(const SyncFigures& row, const SyncFigures& skiff) {
  std::string full = row.full_seconds == 0 ? "(same load)"
                     : row.full_capped     ? "> " + fixed(row.full_seconds, "%.0f") + " s (cap)"
                                           : fixed(row.full_seconds, "%.3f") + " s";
  double p50 = percentile(row.change_ms, 50), p99 = percentile(row.change_ms, 99);
  double s50 = percentile(skiff.change_ms, 50), s99 = percentile(skiff.change_ms, 99);
  std::string ratios = row.full_seconds == 0 ? "—" : times(row.full_seconds / skiff.full_seconds);
  ratios += " / " + (row.change_ms.empty() ? "—" : times(p50 / s50) + " / " + times(p99 / s99));
  std::printf("| %s | %s | %s | %s | %zu | %s |\n", row.name.c_str(), full.c_str(),
              row.change_ms.empty() ? "—" : fixed(p50, "%.2f ms").c_str(),
              row.change_ms.empty() ? "—" : fixed(p99, "%.2f ms").c_str(), row.change_ms.size(), ratios.c_str());
}

void rule_sync(std::size_t services, bool with_peers) {
  std::size_t peer_changes = services >= 5000 ? 10 : 50;  // a slow peer's change costs up to a second
  std::printf("\n### Rule sync: %zu Services × 2 endpoints (one TCP port each)\n\n", services);
  std::fflush(stdout);
  SyncFigures skiff = measure_skiff(services, 200, kSkiffBudget);
  std::vector<SyncFigures> rows{skiff};
  for (Peer peer : {Peer::iptables_legacy, Peer::iptables_nft, Peer::nft}) {
    if (!with_peers) break;
    auto figures = measure_peer(peer, services, peer_changes, kPeerCap);
    rows.insert(rows.end(), figures.begin(), figures.end());
  }
  std::printf("| | full load | change p50 | change p99 | changes | peer / Skiff: full / p50 / p99 |\n|---|---|---|---|---|---|\n");
  for (const auto& row : rows) print_sync_row(row, skiff);
  std::printf("\nSkiff: %s; kernel's share of a change p50 %.2f ms%s. Peers: wall time of the process (spawn to exit).\n",
              skiff.note.c_str(), percentile(skiff.kernel_ms, 50),
              skiff.budget_spent ? ("; only " + std::to_string(skiff.change_ms.size()) + " change(s) fit in " +
                                    std::to_string(kSkiffBudget.count()) + " s").c_str() : "");
  for (const auto& row : rows)
    if (row.name != skiff.name && !row.note.empty()) std::printf("  %s: %s\n", row.name.c_str(), row.note.c_str());
  double p99 = percentile(skiff.change_ms, 99);
  if (services == 1000) std::printf("Goal p99 ≤ 10 ms at 1k: %s (%.2f ms)\n", met(p99 <= 10).c_str(), p99);
  if (services == 10000) {
    std::printf("Goal p99 ≤ 25 ms at 10k: %s (%.2f ms)\n", met(p99 <= 25).c_str(), p99);
    std::printf("Goal cold start ≤ 1.5 s at 10k: %s (%.3f s)\n", met(skiff.full_seconds <= 1.5).c_str(), skiff.full_seconds);
  }
  std::fflush(stdout);
}

// ---- data plane ----

const std::uint32_t kClusterIp = *sdk::parse_ipv4("10.100.0.10");
constexpr std::uint16_t kFilesPort = 80, kAnswerPort = 90;  // on the ClusterIP

proxy::ServicePort to_pods(std::uint16_t port, int pod_port) {
  proxy::ServicePort service_port;
  service_port.port = port;
  service_port.cluster_ips = {kClusterIp};
  for (const char* pod : ServiceLab::kPodIps)
    service_port.cluster_endpoints.push_back({*sdk::parse_ipv4(pod), static_cast<std::uint16_t>(pod_port)});
  service_port.external_endpoints = service_port.cluster_endpoints;
  return service_port;
}

// The benchmarked Service (two ports to both pods) and `others` Services elsewhere.
proxy::ProxyState lab_state(std::size_t others) {
  proxy::ProxyState state = SyntheticCluster(others).proxy_state();
  state.ports.emplace("bench/web:files/TCP", to_pods(kFilesPort, ServiceLab::kPodPort));
  state.ports.emplace("bench/web:answer/TCP", to_pods(kAnswerPort, ServiceLab::kResponderPort));
  return state;
}

struct PathFigures {
  std::string name;
  std::string files_url, answer_url;  // busybox httpd's files, the responder
  std::vector<double> rate, megabytes, rate_cpu, megabytes_cpu;
};

std::string url(const std::string& host, int port, const char* file = ServiceLab::kSmallFile) {
  return "http://" + host + ":" + std::to_string(port) + "/" + file;
}

enum class Goal { at_least, within, none };  // none: a diagnostic row

void print_ratio_row(const char* what, const std::vector<double>& a, const std::vector<double>& b, Goal kind, double goal) {
  std::vector<double> ratios;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) ratios.push_back(a[i] / b[i]);
  double median = percentile(ratios, 50);
  std::string verdict = kind == Goal::none ? "" : met(kind == Goal::at_least ? median >= goal : std::abs(median - 1) <= goal);
  std::string goal_text = kind == Goal::none ? "—" : (kind == Goal::at_least ? "≥ " : "1 ± ") + fixed(goal, "%.2f");
  std::printf("| %s | %s (median %.3f) | %s | %s |\n", what, range(ratios, "%.2f").c_str(), median, goal_text.c_str(),
              verdict.c_str());
}

// A lab with its own node programmed with the benchmarked Service and `others` Services.
struct ProgrammedLab {
  ServiceLab lab;
  std::unique_ptr<proxy::NftProgrammer> programmer;  // its socket lives in the lab's node namespace
  double apply_seconds = 0;

  ProgrammedLab(const std::string& name, std::size_t others) : lab(name) {
    in_netns(lab.node_netns_path(), [&] {
      proxy::TableOptions options;
      options.cluster_cidr = sdk::Ipv4Cidr::parse("10.244.0.0/16");
      programmer = std::make_unique<proxy::NftProgrammer>(options);
    });
    auto state = lab_state(others);
    auto started = Clock::now();
    programmer->apply(state);
    apply_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    lab.wait_answering(sdk::format_ipv4(kClusterIp), kFilesPort);
    lab.wait_answering(sdk::format_ipv4(kClusterIp), kAnswerPort);
  }
  ~ProgrammedLab() { programmer.reset(); }  // before the lab removes the namespace
};

void data_plane() {
  std::printf("\n### Data plane: client → two pods on a bridge in a node namespace\n\n");
  std::fflush(stdout);
  ProgrammedLab node("a", 10), crowded("b", 10000);  // 10 and 10,000 other Services
  ServiceLab& lab = node.lab;
  lab.start_haproxy();
  std::string cluster_ip = sdk::format_ipv4(kClusterIp), pod = ServiceLab::kPodIps[0], gateway = ServiceLab::kGateway;

  std::vector<PathFigures> paths = {
      {"direct to a pod", url(pod, ServiceLab::kPodPort, ServiceLab::kLargeFile), url(pod, ServiceLab::kResponderPort), {}, {}, {}, {}},
      {"ClusterIP (Skiff nftables)", url(cluster_ip, kFilesPort, ServiceLab::kLargeFile), url(cluster_ip, kAnswerPort), {}, {}, {}, {}},
      {"haproxy (mode tcp, in the node)", url(gateway, ServiceLab::kHaproxyPort, ServiceLab::kLargeFile),
       url(gateway, ServiceLab::kHaproxyResponderPort), {}, {}, {}, {}},
      {"direct, routed through the node (no NAT)", url(pod, ServiceLab::kPodPort, ServiceLab::kLargeFile),
       url(pod, ServiceLab::kResponderPort), {}, {}, {}, {}}};
  static_assert(ServiceLab::kRoutedClient == 3, "path 3 is the routed client's");
  std::string problems;
  // Each path from its own client (see service_lab.hpp); the crowded node's ClusterIP as node a's.
  auto sample = [&](std::size_t path, bool new_connections, const ServiceLab& in) {
    in.flush_conntrack();
    const std::string& target = new_connections ? paths[path].answer_url : paths[path].files_url;
    auto result = in.wrk(static_cast<int>(path), target, new_connections ? 16 : 2, kWrkSeconds, new_connections);
    if (!result.problems.empty()) problems += "  " + target + ": " + result.problems + "\n";
    return result;
  };
  std::vector<double> rate_many, rate_many_cpu;
  for (int round = 0; round < kRounds; ++round) {
    for (std::size_t i = 0; i < paths.size(); ++i) {
      auto result = sample(i, true, lab);
      paths[i].rate.push_back(result.requests_per_second);
      paths[i].rate_cpu.push_back(100 * result.cpu_busy);
    }
    auto result = sample(1, true, crowded.lab);
    rate_many.push_back(result.requests_per_second);
    rate_many_cpu.push_back(100 * result.cpu_busy);
    for (std::size_t i = 0; i < paths.size(); ++i) {
      auto result = sample(i, false, lab);
      paths[i].megabytes.push_back(result.megabytes_per_second);
      paths[i].megabytes_cpu.push_back(100 * result.cpu_busy);
    }
  }
  std::printf("%d rounds, wrk -t1 for %d s each, conntrack flushed before each sample; CPU busy: both cores, all processes.\n\n",
              kRounds, kWrkSeconds);
  std::printf("| path | connections/s (16 conns, Connection: close, responder) | CPU busy | MB/s (2 conns, 10 MB file, busybox httpd) | CPU busy |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const auto& path : paths)
    std::printf("| %s | %s | %s %% | %s | %s %% |\n", path.name.c_str(), range(path.rate, "%.0f").c_str(),
                range(path.rate_cpu, "%.0f").c_str(), range(path.megabytes, "%.0f").c_str(), range(path.megabytes_cpu, "%.0f").c_str());
  std::printf("| ClusterIP, a node with 10,000 other Services | %s | %s %% | | |\n\n", range(rate_many, "%.0f").c_str(),
              range(rate_many_cpu, "%.0f").c_str());
  std::printf("| ratio (per round) | range | goal | |\n|---|---|---|---|\n");
  print_ratio_row("connections/s ClusterIP / direct", paths[1].rate, paths[0].rate, Goal::at_least, 0.95);
  print_ratio_row("MB/s ClusterIP / direct", paths[1].megabytes, paths[0].megabytes, Goal::at_least, 0.95);
  print_ratio_row("connections/s ClusterIP / haproxy", paths[1].rate, paths[2].rate, Goal::at_least, 1.5);
  print_ratio_row("MB/s ClusterIP / haproxy", paths[1].megabytes, paths[2].megabytes, Goal::at_least, 1.5);
  print_ratio_row("connections/s ClusterIP, 10,000 Services / 10", rate_many, paths[1].rate, Goal::within, 0.10);
  print_ratio_row("connections/s direct routed / direct (what routing costs)", paths[3].rate, paths[0].rate, Goal::none, 0);
  print_ratio_row("connections/s ClusterIP / direct routed (what NAT costs)", paths[1].rate, paths[3].rate, Goal::none, 0);
  print_ratio_row("MB/s direct routed / direct", paths[3].megabytes, paths[0].megabytes, Goal::none, 0);
  print_ratio_row("MB/s ClusterIP / direct routed", paths[1].megabytes, paths[3].megabytes, Goal::none, 0);
  std::printf("\nProgramming the crowded node (10,002 service ports, first apply): %.2f s.\n", crowded.apply_seconds);
  if (!problems.empty()) std::printf("wrk reported:\n%s", problems.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "all";
  std::vector<std::size_t> sizes;
  for (int i = 2; i < argc; ++i) sizes.push_back(std::strtoul(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {1000, 10000};
  if (what != "all" && what != "sync" && what != "skiff" && what != "data") {
    std::fprintf(stderr, "usage: proxy_bench [all|sync|skiff|data] [SERVICES…]\n");
    return 2;
  }
  try {
    std::printf("Services: Skiff's nftables programmer vs kube-proxy's mechanisms, same kernel, same run\n");
    if (what != "data")
      for (auto services : sizes) rule_sync(services, what != "skiff");
    if (what == "all" || what == "data") data_plane();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "proxy_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
