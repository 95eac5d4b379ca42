// Ingress: Skiff's reverse proxy (skiff_ingress_core, one worker thread) against nginx and haproxy
// (one worker each) routing the same 50 hosts × 4 paths to the same three nginx backends, under
// wrk with keep-alive and with a new connection per request; then the time a route change takes
// to be served under load: Skiff's set_routes against nginx's config rewrite and reload. All on
// 127.0.0.1. `ingress_bench [all|load|changes]` (default all).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.hpp"
#include "exported_metrics.hpp"
#include "http_probe.hpp"
#include "ingress_peers.hpp"
#include "ingress_rules.hpp"
#include "proxy_server.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/testing/temp_dir.hpp"
#include "wrk_load.hpp"

namespace {

using namespace skiff;
using namespace skiff::bench;
using Clock = std::chrono::steady_clock;

constexpr int kRounds = 3;
constexpr int kSeconds = 10;  // each wrk run
constexpr int kConnections = 50;
constexpr int kHosts = 50;
constexpr int kChanges = 100;
constexpr auto kChangeGap = std::chrono::milliseconds(50);  // between two route changes

volatile sig_atomic_t interrupted = 0;

void check_interrupted() {
  if (interrupted) throw std::runtime_error("ingress_bench: interrupted");
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

std::vector<double> ratios(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out;
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(a[i] / b[i]);
  return out;
}

std::string first_line_of(const std::string& command) {
  std::string line;
  if (FILE* pipe = popen((command + " 2>&1").c_str(), "r")) {
    char buffer[256];
    if (std::fgets(buffer, sizeof buffer, pipe)) line = buffer;
    pclose(pipe);
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

// ---- the contenders ----

// Skiff's proxy in this process: one worker thread on 127.0.0.1, optionally with the plugin's
// metrics hooks (ExportedMetrics over an sdk::Metrics, as the plugin runs it; access log off, as
// for nginx and haproxy).
struct SkiffProxy {
  sdk::Metrics metrics;
  ingress::ExportedMetrics hooks{metrics};
  std::unique_ptr<ingress::ProxyServer> server;
  int port = 0;

  SkiffProxy(bool with_metrics, const RuleSet& rules, const std::vector<ingress::Endpoint>& backends) {
    port = test::free_port();
    ingress::ProxyConfig config;
    config.listen = {{"127.0.0.1", static_cast<std::uint16_t>(port), false}};
    config.workers = 1;
    server = std::make_unique<ingress::ProxyServer>(config, nullptr, with_metrics ? &hooks : nullptr);
    server->start();
    apply(rules, backends);
  }
  ~SkiffProxy() { server->stop(); }

  void apply(const RuleSet& rules, const std::vector<ingress::Endpoint>& backends) {
    auto table = std::make_shared<const ingress::RouteTable>(skiff_ingresses(rules, backends));
    if (!table->problems().empty()) throw std::runtime_error("ingress_bench: route refused: " + table->problems().front());
    server->set_routes(table);
  }
};

struct Runs {
  std::vector<double> rps, p50, p99, cpu_percent, per_cpu_second;
  long failures = 0;  // non-2xx and socket errors over all runs
  std::string failure_lines;  // wrk's lines for them, per run that had any
};

struct Contender {
  std::string name;
  int port = 0;
  std::function<double()> cpu_seconds;  // the proxy's CPU time so far
  Runs keep_alive, close_each;
};

void measure(Contender& contender, bool close_each, const std::string& script, const test::TempDir& dir) {
  check_interrupted();
  double cpu_before = contender.cpu_seconds();
  auto started = Clock::now();
  auto figures = run_wrk({contender.port, script, close_each, kConnections, kSeconds, dir.file("wrk.out")});
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  double cpu = contender.cpu_seconds() - cpu_before;
  Runs& runs = close_each ? contender.close_each : contender.keep_alive;
  runs.rps.push_back(figures.requests_per_second);
  runs.p50.push_back(figures.p50_ms);
  runs.p99.push_back(figures.p99_ms);
  runs.cpu_percent.push_back(100 * cpu / seconds);
  runs.per_cpu_second.push_back(static_cast<double>(figures.requests) / cpu);
  runs.failures += figures.non_2xx + figures.socket_errors;
  if (figures.non_2xx) runs.failure_lines += " non-2xx " + std::to_string(figures.non_2xx) + ";";
  if (figures.socket_errors) runs.failure_lines += " " + figures.socket_error_text + ";";
}

void print_mode_table(const std::vector<Contender*>& contenders, bool close_each) {
  std::printf("\n**%s** (wrk -t1 -c%d -d%ds --latency%s)\n\n", close_each ? "New connection per request" : "Keep-alive",
              kConnections, kSeconds, close_each ? ", \"Connection: close\" on every request" : "");
  std::printf("| proxy | req/s, median (range) | p50 ms | p99 ms, median (range) | proxy CPU | requests per proxy CPU-second | "
              "non-2xx + socket errors |\n|---|---|---|---|---|---|---|\n");
  for (auto* c : contenders) {
    const Runs& r = close_each ? c->close_each : c->keep_alive;
    std::printf("| %s | %s | %s | %s | %s %% | %s | %ld |\n", c->name.c_str(), median_and_range(r.rps, "%.0f").c_str(),
                fixed(median(r.p50), "%.2f").c_str(), median_and_range(r.p99, "%.2f").c_str(), range(r.cpu_percent, "%.0f").c_str(),
                median_and_range(r.per_cpu_second, "%.0f").c_str(), r.failures);
  }
  for (auto* c : contenders) {
    const Runs& r = close_each ? c->close_each : c->keep_alive;
    if (r.failures) std::printf("\n%s, wrk's error lines:%s\n", c->name.c_str(), r.failure_lines.c_str());
  }
}

void print_ratios(const Contender& skiff, const std::vector<Contender*>& peers) {
  std::printf("\n| ratio, per round | keep-alive, median (range) | new connection per request | goal |\n|---|---|---|---|\n");
  for (const auto* peer : peers) {
    bool nginx = peer->name == "nginx";
    auto rps_ka = ratios(skiff.keep_alive.rps, peer->keep_alive.rps), rps_close = ratios(skiff.close_each.rps, peer->close_each.rps);
    auto p99_ka = ratios(skiff.keep_alive.p99, peer->keep_alive.p99), p99_close = ratios(skiff.close_each.p99, peer->close_each.p99);
    auto cpu_ka = ratios(skiff.keep_alive.per_cpu_second, peer->keep_alive.per_cpu_second);
    auto cpu_close = ratios(skiff.close_each.per_cpu_second, peer->close_each.per_cpu_second);
    std::printf("| req/s %s / %s | %s | %s | %s |\n", skiff.name.c_str(), peer->name.c_str(), median_and_range(rps_ka, "%.2f").c_str(),
                median_and_range(rps_close, "%.2f").c_str(),
                nginx ? ("≥ 0.9: keep-alive " + met(median(rps_ka) >= 0.9) + ", new connections " + met(median(rps_close) >= 0.9)).c_str() : "");
    std::printf("| p99 %s / %s | %s | %s | %s |\n", skiff.name.c_str(), peer->name.c_str(), median_and_range(p99_ka, "%.2f").c_str(),
                median_and_range(p99_close, "%.2f").c_str(),
                nginx ? ("≤ 1.2: keep-alive " + met(median(p99_ka) <= 1.2) + ", new connections " + met(median(p99_close) <= 1.2)).c_str() : "");
    std::printf("| requests per CPU-second %s / %s | %s | %s | |\n", skiff.name.c_str(), peer->name.c_str(),
                median_and_range(cpu_ka, "%.2f").c_str(), median_and_range(cpu_close, "%.2f").c_str());
  }
}

// ---- the setup ----

struct Lab {
  test::TempDir dir;
  RuleSet rules = bench_rules(kHosts);
  std::vector<int> backend_ports;
  std::vector<ingress::Endpoint> backends;
  std::vector<PeerProcess> backend_processes;
  std::string script = dir.file("requests.lua");

  Lab() {
    for (int i = 0; i < 3; ++i) {
      backend_ports.push_back(test::free_port());
      backends.push_back({"127.0.0.1", static_cast<std::uint16_t>(backend_ports.back())});
      backend_processes.push_back(start_backend(dir.path(), i, backend_ports.back()));
    }
    for (auto& backend : backend_processes) wait_serving(backend, "backend");
    std::ofstream(script) << wrk_script(kHosts);
  }
};

void print_setup() {
  std::printf("CPUs: %u (nothing pinned: wrk, the proxy and the three backends share them). Load average at start: %s.\n",
              std::thread::hardware_concurrency(), first_line_of("cut -d' ' -f1-3 /proc/loadavg").c_str());
  std::printf("%s; %s; %s.\n", first_line_of("nginx -v").c_str(), first_line_of("haproxy -v").c_str(), first_line_of("wrk -v").c_str());
  std::printf("Rules: %d hosts × 4 Prefix paths (/, /api, /api/v2, /static), each to the same 3 nginx backends (1 worker each, "
              "200 with a 13-byte body), round-robin, upstream keep-alive. Every proxy has 1 worker.\n",
              kHosts);
  std::fflush(stdout);
}

// ---- requests per second and latency ----

void load_phase(Lab& lab) {
  std::printf("\n### Requests per second and latency: %d rounds, each proxy in turn (a different one first each round)\n", kRounds);
  std::fflush(stdout);
  SkiffProxy skiff_metrics(true, lab.rules, lab.backends), skiff_bare(false, lab.rules, lab.backends);
  auto nginx = start_nginx_proxy(lab.dir.path(), test::free_port(), lab.rules, lab.backend_ports);
  auto haproxy = start_haproxy(lab.dir.path(), test::free_port(), lab.rules, lab.backend_ports);
  for (const auto* peer : {&nginx, &haproxy}) wait_serving(*peer, lab.rules.hosts[0]);
  auto own_cpu = [] { return cpu_seconds(getpid()); };
  Contender skiff{"Skiff", skiff_metrics.port, own_cpu, {}, {}};
  Contender bare{"Skiff, no metrics hooks", skiff_bare.port, own_cpu, {}, {}};
  Contender nginx_c{"nginx", nginx.port, [pid = nginx.process->pid()] { return tree_cpu_seconds(pid); }, {}, {}};
  Contender haproxy_c{"haproxy", haproxy.port, [pid = haproxy.process->pid()] { return tree_cpu_seconds(pid); }, {}, {}};
  std::vector<Contender*> all{&skiff, &bare, &nginx_c, &haproxy_c};
  for (int round = 0; round < kRounds; ++round) {
    for (bool close_each : {false, true})
      for (std::size_t k = 0; k < all.size(); ++k) measure(*all[(k + static_cast<std::size_t>(round)) % all.size()], close_each, lab.script, lab.dir);
    std::fprintf(stderr, "ingress_bench: round %d of %d done\n", round + 1, kRounds);
  }
  print_mode_table(all, false);
  print_mode_table(all, true);
  print_ratios(skiff, {&nginx_c, &haproxy_c});
  std::printf("\n\"Skiff\" runs with the plugin's metrics hooks; \"Skiff, no metrics hooks\" is the same proxy without them. "
              "Skiff's CPU is this process's (its other threads idle during wrk runs).\n");
  std::fflush(stdout);
}

// ---- route changes under load ----

struct ChangeFigures {
  std::vector<double> milliseconds;  // from the change's start until a new client gets 200 for the new host
  std::vector<double> apply_milliseconds;  // the change itself (table build + set_routes, or config write + reload command)
  long probes = 0;
  long unexpected = 0;  // probes answered neither 404 (not yet) nor 200, or not answered
  std::string first_unexpected;
  WrkFigures load;
};

// Makes kChanges changes, each adding host new-<k>, while wrk loads the proxy with keep-alive.
ChangeFigures change_under_load(Lab& lab, int port, const std::function<void(const RuleSet&)>& apply,
                                std::chrono::milliseconds poll_gap) {
  ChangeFigures figures;
  WrkLoad load({port, lab.script, false, kConnections, 120, lab.dir.file("wrk-changes.out")});
  std::this_thread::sleep_for(std::chrono::seconds(1));
  RuleSet rules = lab.rules;
  for (int k = 0; k < kChanges && !interrupted; ++k) {
    std::string host = added_host(k);
    rules.hosts.push_back(host);
    auto started = Clock::now();
    apply(rules);
    figures.apply_milliseconds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    for (auto deadline = started + std::chrono::seconds(10);;) {
      auto probe = probe_get(port, host);
      ++figures.probes;
      if (probe.status == 200) break;
      if (probe.status != 404 && figures.unexpected++ == 0)
        figures.first_unexpected = probe.status ? "status " + std::to_string(probe.status) : probe.error;
      if (Clock::now() > deadline) throw std::runtime_error("ingress_bench: " + host + " not served 10 s after the change");
      std::this_thread::sleep_for(poll_gap);
    }
    figures.milliseconds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    std::this_thread::sleep_for(kChangeGap);
  }
  figures.load = load.finish(true);
  check_interrupted();
  return figures;
}

void print_change_row(const std::string& how, const ChangeFigures& f) {
  std::printf("| %s | %s / %s | %s | %s | %s | %ld | %ld | %s | %ld%s |\n", how.c_str(),
              fixed(percentile(f.apply_milliseconds, 50), "%.2f").c_str(), fixed(percentile(f.apply_milliseconds, 99), "%.2f").c_str(),
              fixed(percentile(f.milliseconds, 50), "%.2f").c_str(),
              fixed(percentile(f.milliseconds, 99), "%.2f").c_str(), fixed(percentile(f.milliseconds, 100), "%.2f").c_str(),
              f.load.non_2xx, f.load.socket_errors, f.load.socket_error_text.empty() ? "—" : f.load.socket_error_text.c_str(),
              f.unexpected, f.first_unexpected.empty() ? "" : (" (first: " + f.first_unexpected + ")").c_str());
}

void changes_phase(Lab& lab) {
  std::printf("\n### Route changes under load: %d changes, each adding a host, %d ms apart, wrk -t1 -c%d keep-alive meanwhile\n\n",
              kChanges, static_cast<int>(kChangeGap.count()), kConnections);
  std::fflush(stdout);
  ChangeFigures skiff_figures, nginx_figures;
  {
    SkiffProxy skiff(true, lab.rules, lab.backends);
    skiff_figures = change_under_load(lab, skiff.port, [&](const RuleSet& rules) { skiff.apply(rules, lab.backends); },
                                      std::chrono::milliseconds(0));
  }
  {
    auto nginx = start_nginx_proxy(lab.dir.path(), test::free_port(), lab.rules, lab.backend_ports);
    wait_serving(nginx, lab.rules.hosts[0]);
    nginx_figures = change_under_load(lab, nginx.port, [&](const RuleSet& rules) {
      write_nginx_proxy_conf(nginx.config, lab.dir.path(), nginx.port, rules, lab.backend_ports);
      reload_nginx(nginx);
    }, std::chrono::milliseconds(1));
  }
  std::printf("| proxy, how | the change itself: p50 / p99 ms | until served: p50 ms | p99 ms | max ms | wrk non-2xx | "
              "wrk socket errors | wrk's line | new-client probes failing |\n|---|---|---|---|---|---|---|---|---|\n");
  print_change_row("Skiff, RouteTable built + `set_routes`", skiff_figures);
  print_change_row("nginx, config rewritten + `nginx -s reload`", nginx_figures);
  bool skiff_clean = skiff_figures.load.non_2xx + skiff_figures.load.socket_errors + skiff_figures.unexpected == 0;
  std::printf("\nGoal: Skiff's change served ≤ 50 ms at p99: %s (%.2f ms); 0 failures over %d changes: %s. "
              "Time measured from the start of the change (table build, or config write) to a 200 for the new host on a "
              "fresh connection (polled back to back for Skiff, every 1 ms for nginx).\n",
              met(percentile(skiff_figures.milliseconds, 99) <= 50).c_str(), percentile(skiff_figures.milliseconds, 99),
              kChanges, met(skiff_clean).c_str());
  std::printf("wrk during the changes: Skiff %.0f req/s, p99 %.2f ms; nginx %.0f req/s, p99 %.2f ms.\n",
              skiff_figures.load.requests_per_second, skiff_figures.load.p99_ms, nginx_figures.load.requests_per_second,
              nginx_figures.load.p99_ms);
  std::fflush(stdout);
}

void on_stop_signal(int) { interrupted = 1; }

}  // namespace

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "all";
  if (what != "all" && what != "load" && what != "changes") {
    std::fprintf(stderr, "usage: ingress_bench [all|load|changes]\n");
    return 2;
  }
  // A signal lets the run finish its current step and unwind: children stopped, temp dir removed.
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
  try {
    print_setup();
    Lab lab;
    if (what == "all" || what == "load") load_phase(lab);
    if (what == "all" || what == "changes") changes_phase(lab);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  return 0;
}
