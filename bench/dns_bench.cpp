// Cluster DNS: Skiff's server (skiff_dns_core, one worker) against dnsmasq and unbound serving the
// same names, each pinned to one core with dnsperf on the other; the zone's memory at 10k Services
// and 50k pods (and the informer objects behind it); a pod's ndots:5 search with and without the
// short circuit. All on 127.0.0.1. `dns_bench [all|qps|memory|search]` (default all);
// `dns_bench --serve PORT` is the Skiff server the qps phase starts as a child.
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "object_adapter.hpp"
#include "bench_support.hpp"
#include "cluster_zone.hpp"
#include "dns_cluster_data.hpp"
#include "dns_peers.hpp"
#include "dns_search_client.hpp"
#include "dns_server.hpp"
#include "fake_upstream.hpp"
#include "responder.hpp"
#include "skiff/testing/temp_dir.hpp"
#include "upstream_forwarder.hpp"

namespace {

using namespace skiff;
using namespace skiff::bench;
using Clock = std::chrono::steady_clock;

constexpr int kRounds = 3;
constexpr int kSeconds = 10;  // each dnsperf run
constexpr int kServerCore = 0, kClientCore = 1;
constexpr int kQueryLines = 10000;
constexpr int kLookups = 2000;
const ClusterShape kServed{1000, 0, 10, 0};     // the qps phase: 1,000 ClusterIP Services
const ClusterShape kLarge{10000, 5, 100, 10};  // the memory phase: 10k Services, 50k pods

volatile sig_atomic_t interrupted = 0;

void check_interrupted() {
  if (interrupted) throw std::runtime_error("dns_bench: interrupted");
}

// ---- figures ----

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

double median(const std::vector<double>& values) { return percentile(values, 50); }

std::string fixed(double value, const char* format) {
  char text[48];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string range(const std::vector<double>& values, const char* format) {
  auto [low, high] = std::minmax_element(values.begin(), values.end());
  std::string a = fixed(*low, format), b = fixed(*high, format);
  return a == b ? a : a + "–" + b;
}

std::string median_and_range(const std::vector<double>& values, const char* format) {
  return fixed(median(values), format) + " (" + range(values, format) + ")";
}

std::string met(bool ok) { return ok ? "met" : "**missed**"; }

// ---- the Skiff server child ----

dns::ZoneConfig served_zone_config() {
  dns::ZoneConfig config;
  config.reverse_cidrs = {"10.96.0.0/12", "10.244.0.0/16"};
  config.nameserver_addresses = {boost::asio::ip::make_address("10.96.0.10")};
  return config;
}

int serve(int port) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before any thread starts: they inherit it
  dns::ClusterZone zone(served_zone_config());
  for (const auto& service : zone_services(kServed)) zone.upsert_service(service);
  dns::Responder responder(zone, {.forwarding = false});
  dns::CountingMetrics metrics;
  dns::ServerConfig config;
  config.listen = {{boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)}};
  config.workers = 1;
  dns::DnsServer server(config, responder, nullptr, metrics);
  server.start();
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server.stop();
  return 0;
}

// ---- qps and latency against dnsmasq and unbound ----

std::vector<ServedName> served_names() {
  std::vector<ServedName> names;
  for (int i = 0; i < kServed.services; ++i) names.push_back({service_fqdn(i, kServed), cluster_ip(i)});
  return names;
}

// 80 % A for existing Services, 10 % AAAA for them (NODATA: they are IPv4 only), 10 % A for
// absent names in existing namespaces (NXDOMAIN); a fixed shuffle.
void write_query_file(const std::string& path) {
  std::ofstream file(path);
  std::mt19937 random(13);
  for (int line = 0; line < kQueryLines; ++line) {
    int pick = static_cast<int>(random() % 100);
    int service = static_cast<int>(random() % kServed.services);
    if (pick < 80) file << service_fqdn(service, kServed) << " A\n";
    else if (pick < 90) file << service_fqdn(service, kServed) << " AAAA\n";
    else file << "absent-" << service << "." << service_namespace(service, kServed) << ".svc.cluster.local A\n";
  }
}

struct Contender {
  PinnedServer server;
  std::string log;
  std::vector<double> saturation_qps, saturation_cpu, answers_per_cpu_second, p50_ms, p99_ms, half_rate;
  long lost = 0;
  DnsperfFigures last;  // the last saturation run, for its response codes and sizes
};

std::vector<Contender> start_contenders(const test::TempDir& dir) {
  auto names = served_names();
  write_hosts_file(dir.file("hosts"), names);
  int unbound_port = test::free_port();
  write_unbound_conf(dir.file("unbound.conf"), dir.path(), unbound_port, names);
  int skiff_port = test::free_port(), dnsmasq_port = test::free_port();
  std::vector<Contender> contenders;
  auto add = [&](const std::string& name, int port, std::vector<std::string> argv) {
    auto log = dir.file(name.substr(0, name.find(' ')) + ".log");
    contenders.push_back(Contender{start_pinned(name, port, kServerCore, std::move(argv), log), log, {}, {}, {}, {}, {}, {}, 0, {}});
  };
  // This binary by its real path: through taskset, /proc/self/exe would be taskset.
  auto self = std::filesystem::read_symlink("/proc/self/exe").string();
  add("Skiff (workers=1)", skiff_port, {self, "--serve", std::to_string(skiff_port)});
  // Only the hosts file; cluster.local answered locally (NXDOMAIN/NODATA, never forwarded).
  add("dnsmasq", dnsmasq_port,
      {"dnsmasq", "--no-daemon", "--port=" + std::to_string(dnsmasq_port), "--listen-address=127.0.0.1", "--bind-interfaces",
       "--no-resolv", "--no-hosts", "--addn-hosts=" + dir.file("hosts"), "--local=/cluster.local/", "--user=root", "--pid-file"});
  add("unbound", unbound_port, {"unbound", "-d", "-c", dir.file("unbound.conf")});
  return contenders;
}

void measure_round(Contender& contender, const test::TempDir& dir, const std::string& queries) {
  check_interrupted();
  DnsperfRun run{contender.server.port, queries, kSeconds, std::nullopt, false, kClientCore, dir.file("dnsperf.out")};
  auto saturation = run_dnsperf(run, contender.server.process->pid());
  contender.saturation_qps.push_back(saturation.qps);
  contender.saturation_cpu.push_back(100.0 * saturation.server_cpu_seconds / saturation.seconds);
  contender.answers_per_cpu_second.push_back(static_cast<double>(saturation.completed) / saturation.server_cpu_seconds);
  contender.lost += saturation.lost;
  contender.last = saturation;
  check_interrupted();
  run.max_qps = saturation.qps / 2;
  run.per_query_latency = true;
  auto half = run_dnsperf(run, contender.server.process->pid());
  contender.half_rate.push_back(half.qps);
  contender.p50_ms.push_back(percentile(half.latencies_ms, 50));
  contender.p99_ms.push_back(percentile(half.latencies_ms, 99));
  contender.lost += half.lost;
}

std::vector<double> ratios(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out;
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(a[i] / b[i]);
  return out;
}

void qps_phase() {
  std::printf("\n### Queries per second and latency: %d Services, %d rounds of %d s runs\n\n", kServed.services, kRounds, kSeconds);
  std::printf("Query file: %d lines, 80 %% A for existing Services, 10 %% AAAA for them (NODATA), 10 %% A for "
              "absent names (NXDOMAIN). Servers on core %d, dnsperf on core %d (-T 1 -c 8 -q 200 -t 1).\n\n",
              kQueryLines, kServerCore, kClientCore);
  std::fflush(stdout);
  test::TempDir dir;
  write_query_file(dir.file("queries"));
  auto contenders = start_contenders(dir);
  for (auto& contender : contenders) wait_answering(contender.server, service_fqdn(0, kServed), contender.log);
  for (int round = 0; round < kRounds; ++round) {
    for (std::size_t k = 0; k < contenders.size(); ++k) {  // each round starts with a different contender
      measure_round(contenders[(k + static_cast<std::size_t>(round)) % contenders.size()], dir, dir.file("queries"));
    }
    std::fprintf(stderr, "dns_bench: round %d of %d done\n", round + 1, kRounds);
  }
  std::printf("| server | qps at saturation, median (range) | server CPU then | answers per server CPU-second, median "
              "(range) | p50 / p99 at half load, median (p99 range) | lost | RSS after |\n|---|---|---|---|---|---|---|\n");
  for (auto& c : contenders) {
    std::printf("| %s | %s | %s %% | %s | %s / %s ms (%s) at %s qps | %ld | %ld MB |\n", c.server.name.c_str(),
                median_and_range(c.saturation_qps, "%.0f").c_str(), range(c.saturation_cpu, "%.0f").c_str(),
                median_and_range(c.answers_per_cpu_second, "%.0f").c_str(), fixed(median(c.p50_ms), "%.3f").c_str(),
                fixed(median(c.p99_ms), "%.3f").c_str(), range(c.p99_ms, "%.3f").c_str(),
                fixed(median(c.half_rate), "%.0f").c_str(), c.lost, rss_kb(c.server.process->pid()) / 1024);
  }
  std::printf("\n| server | response codes (last run) | packet sizes |\n|---|---|---|\n");
  for (auto& c : contenders)
    std::printf("| %s | %s | %s |\n", c.server.name.c_str(), c.last.response_codes.c_str(), c.last.packet_sizes.c_str());
  const auto& skiff = contenders[0];
  std::printf("\n| ratio, per round | median (range) | goal | |\n|---|---|---|---|\n");
  for (std::size_t peer : {1, 2}) {
    const auto& other = contenders[peer];
    double goal = peer == 1 ? 2 : 1;
    auto qps = ratios(skiff.saturation_qps, other.saturation_qps);
    auto per_cpu = ratios(skiff.answers_per_cpu_second, other.answers_per_cpu_second);
    std::printf("| qps Skiff / %s | %s | ≥ %.0f | %s |\n", other.server.name.c_str(), median_and_range(qps, "%.2f").c_str(), goal,
                met(median(qps) >= goal).c_str());
    std::printf("| answers per CPU-second Skiff / %s | %s | ≥ %.0f | %s |\n", other.server.name.c_str(),
                median_and_range(per_cpu, "%.2f").c_str(), goal, met(median(per_cpu) >= goal).c_str());
    std::printf("| p99 at half load, %s / Skiff | %s | — | |\n", other.server.name.c_str(),
                median_and_range(ratios(other.p99_ms, skiff.p99_ms), "%.2f").c_str());
  }
  bool client_bound = false;
  for (auto& c : contenders) client_bound = client_bound || median(c.saturation_cpu) < 95;
  if (client_bound)
    std::printf("\nA server below ~95 %% CPU at \"saturation\" was waiting for dnsperf (one core): its qps is dnsperf's "
                "limit, and answers per server CPU-second is the fairer comparison.\n");
  for (auto& c : contenders) c.server.process->terminate(std::chrono::seconds(5));
}

// ---- memory at 10k Services and 50k pods ----

long heap_bytes() { return static_cast<long>(mallinfo2().uordblks); }
long rss_bytes() { return status_kb(getpid(), "VmRSS") * 1024; }

void memory_phase() {
  int objects = kLarge.services + kLarge.services * kLarge.pods_per_service;
  std::printf("\n### Memory: %d Services (every %dth headless, %d endpoints each) and %d pods in %d namespaces\n\n",
              kLarge.services, kLarge.headless_every, kLarge.pods_per_service, objects - kLarge.services, kLarge.namespaces);
  std::fflush(stdout);
  long zone_heap = 0, zone_rss = 0, names = 0;
  double build_seconds = 0;
  {
    auto services = zone_services(kLarge);
    auto pods = zone_pods(kLarge);
    long heap_before = heap_bytes(), rss_before = rss_bytes();
    auto start = Clock::now();
    dns::ClusterZone zone(served_zone_config());
    for (const auto& pod : pods) zone.upsert_pod(pod);  // pods first, as informers often deliver them
    for (const auto& service : services) zone.upsert_service(service);
    build_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    zone_heap = heap_bytes() - heap_before;
    zone_rss = rss_bytes() - rss_before;
    names = static_cast<long>(zone.name_count());
  }
  check_interrupted();
  long space_used = 0;
  long heap_before = heap_bytes();
  std::vector<api::core::v1::Service> services;
  std::vector<api::core::v1::Pod> pods;
  std::vector<api::discovery::v1::EndpointSlice> slices;
  for (int i = 0; i < kLarge.services; ++i) services.push_back(service_object(i, kLarge));
  for (int i = 0; i < kLarge.services; ++i) slices.push_back(endpoint_slice_object(i, kLarge));
  for (int p = 0; p < objects - kLarge.services; ++p) pods.push_back(pod_object(p, kLarge));
  long protobuf_heap = heap_bytes() - heap_before;
  long service_bytes = 0, pod_bytes = 0, slice_bytes = 0;
  for (const auto& s : services) service_bytes += static_cast<long>(s.SpaceUsedLong());
  for (const auto& p : pods) pod_bytes += static_cast<long>(p.SpaceUsedLong());
  for (const auto& e : slices) slice_bytes += static_cast<long>(e.SpaceUsedLong());
  space_used = service_bytes + pod_bytes + slice_bytes;
  // What the plugin's informers keep: the same objects through their transforms.
  services.clear();
  pods.clear();
  slices.clear();
  services.shrink_to_fit();
  pods.shrink_to_fit();
  slices.shrink_to_fit();
  long slim_before = heap_bytes();
  for (int i = 0; i < kLarge.services; ++i) dns::slim_service(services.emplace_back(service_object(i, kLarge)));
  for (int i = 0; i < kLarge.services; ++i) slices.push_back(endpoint_slice_object(i, kLarge));
  for (int p = 0; p < objects - kLarge.services; ++p) dns::slim_pod(pods.emplace_back(pod_object(p, kLarge)));
  long slim_heap = heap_bytes() - slim_before;
  long slim_service_bytes = 0, slim_pod_bytes = 0;
  for (const auto& s : services) slim_service_bytes += static_cast<long>(s.SpaceUsedLong());
  for (const auto& p : pods) slim_pod_bytes += static_cast<long>(p.SpaceUsedLong());

  double mb = 1024.0 * 1024.0;
  std::printf("| | figure |\n|---|---|\n");
  std::printf("| zone build (%d upserts, one thread) | %.3f s (%.1f µs per object) |\n", objects, build_seconds,
              build_seconds * 1e6 / objects);
  std::printf("| names in the zone | %ld |\n", names);
  std::printf("| zone heap (malloc'd bytes in use, after − before) | %.1f MB = %.2f KB per object |\n", zone_heap / mb,
              zone_heap / 1024.0 / objects);
  std::printf("| zone RSS growth of the process | %.1f MB = %.2f KB per object |\n", zone_rss / mb, zone_rss / 1024.0 / objects);
  std::printf("| informer objects: %d Service + %d Pod + %d EndpointSlice protobufs, SpaceUsedLong | %.1f MB (Service %.2f KB, "
              "Pod %.2f KB, EndpointSlice %.2f KB each) |\n",
              kLarge.services, objects - kLarge.services, kLarge.services, space_used / mb,
              service_bytes / 1024.0 / kLarge.services, pod_bytes / 1024.0 / (objects - kLarge.services),
              slice_bytes / 1024.0 / kLarge.services);
  std::printf("| the same protobufs, heap growth | %.1f MB |\n", protobuf_heap / mb);
  std::printf("| the same, as the plugin's informers keep them (`slim_service`, `slim_pod`), heap growth | %.1f MB "
              "(SpaceUsedLong: Service %.2f KB, Pod %.2f KB each) |\n",
              slim_heap / mb, slim_service_bytes / 1024.0 / kLarge.services,
              slim_pod_bytes / 1024.0 / (objects - kLarge.services));
  std::printf("| zone + informer objects as kept (heap) per Service or pod | %.2f KB (full objects: %.2f KB) |\n",
              (zone_heap + slim_heap) / 1024.0 / objects, (zone_heap + protobuf_heap) / 1024.0 / objects);
  std::printf("| CoreDNS, published (default; with autopath) | (pods + Services)/1000 + 54 MB = %.0f MB; /250 + 56 MB = %.0f MB |\n",
              objects / 1000.0 + 54, objects / 250.0 + 56);
}

// ---- ndots:5 lookups with and without the short circuit ----

struct SearchCase {
  bool autopath = false;
  bool upstream_cache = true;
};

void search_case(const SearchCase& how, dns::test::FakeUpstream& upstream, const std::string& name) {
  auto config = served_zone_config();
  config.autopath = how.autopath;
  dns::ClusterZone zone(config);
  dns::Pod client;
  client.namespace_ = "shop";
  client.name = "client";
  client.ips = {boost::asio::ip::make_address("127.0.0.7")};
  zone.upsert_pod(client);
  dns::Service web;
  web.namespace_ = "shop";
  web.name = "web";
  web.cluster_ips = {boost::asio::ip::make_address("10.96.0.12")};
  zone.upsert_service(web);
  dns::Responder responder(zone, {.forwarding = true});
  dns::CountingMetrics metrics;
  dns::ForwarderConfig forwarder_config;
  forwarder_config.upstreams = {{boost::asio::ip::make_address("127.0.0.1"), upstream.port()}};
  forwarder_config.cache_capacity = how.upstream_cache ? 10000 : 0;
  dns::UpstreamForwarder forwarder(forwarder_config, metrics);
  dns::ServerConfig server_config;
  server_config.listen = {{boost::asio::ip::make_address("127.0.0.1"), 0}};
  server_config.workers = 1;
  dns::DnsServer server(server_config, responder, &forwarder, metrics);
  server.start();
  SearchingResolver resolver("127.0.0.7", server.bound().at(0).port, {"shop.svc.cluster.local", "svc.cluster.local", "cluster.local"});
  for (int i = 0; i < 20; ++i) resolver.lookup(name);  // warm: sockets, caches
  int upstream_before = upstream.udp_queries();
  std::vector<double> milliseconds;
  long queries = 0, failed = 0;
  for (int i = 0; i < kLookups; ++i) {
    auto lookup = resolver.lookup(name);
    queries += lookup.queries;
    failed += lookup.answered ? 0 : 1;
    milliseconds.push_back(lookup.milliseconds);
  }
  std::printf("| %s | %s | %s | %.2f | %.2f | %.3f ms | %.3f ms | %ld |\n", name.c_str(), how.autopath ? "on" : "off",
              how.upstream_cache ? "warm" : "none", static_cast<double>(queries) / kLookups,
              static_cast<double>(upstream.udp_queries() - upstream_before) / kLookups, percentile(milliseconds, 50),
              percentile(milliseconds, 99), failed);
  server.stop();
}

void search_phase() {
  std::printf("\n### A pod's lookups with ndots:5 (search shop.svc.cluster.local svc.cluster.local cluster.local), "
              "%d sequential A lookups each, from 127.0.0.7 (pod shop/client)\n\n", kLookups);
  std::printf("| name | short circuit | upstream cache | queries sent per lookup | upstream queries per lookup | p50 | p99 | "
              "unanswered |\n|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  dns::test::FakeUpstream upstream;
  upstream.set("api.example.com", dns::test::FakeUpstream::Behaviour::Answer, {{"api.example.com", "192.0.2.10", 300}});
  for (const auto& name : {std::string("api.example.com"), std::string("web.shop")}) {
    for (bool cache : {true, false}) {
      for (bool autopath : {false, true}) {
        check_interrupted();
        search_case({autopath, cache}, upstream, name);
        std::fflush(stdout);
      }
      if (name == "web.shop") break;  // in the zone: the upstream is never asked
    }
  }
}

void on_stop_signal(int) { interrupted = 1; }

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--serve") == 0) return serve(std::atoi(argv[2]));
  std::string what = argc > 1 ? argv[1] : "all";
  if (what != "all" && what != "qps" && what != "memory" && what != "search") {
    std::fprintf(stderr, "usage: dns_bench [all|qps|memory|search]\n");
    return 2;
  }
  // A signal lets the run finish its current step and unwind: children killed, temp dirs removed.
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  try {
    if (what == "all" || what == "memory") memory_phase();
    if (what == "all" || what == "search") search_phase();
    if (what == "all" || what == "qps") qps_phase();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  return 0;
}
