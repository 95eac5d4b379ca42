// Kernel start: skiffd with 10 trivial plugins, from exec to "all plugins started", and its RSS —
// measured against nats-server's own start to listening, in the same run.
#include <signal.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>
#include <vector>

#include "bench_support.hpp"
#include "skiff/sdk/free_port.hpp"
#include "embedded_bus.hpp"
#include "nats_server.hpp"
#include "skiffd_process.hpp"
#include "subprocess.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace std::chrono;
using skiff::bench::rss_kb;
using Clock = steady_clock;


// Memory only this process holds (USS): private pages, not the shared libraries' pages.
long private_kb(pid_t pid) {
  std::ifstream rollup("/proc/" + std::to_string(pid) + "/smaps_rollup");
  std::string key;
  long value = 0, total = 0;
  std::string unit;
  while (rollup >> key) {
    if (key == "Private_Clean:" || key == "Private_Dirty:") {
      rollup >> value >> unit;
      total += value;
    }
  }
  return total;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

bool port_open(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 15;
  skiff::test::NatsServer nats;
  skiff::test::TempDir dir;
  std::string profile = dir.file("ten.yaml");
  {
    std::ofstream out(profile);
    out << "node: bench\n" << nats.profile_bus_yaml() << "plugins:\n";
    for (int i = 1; i <= 10; ++i) out << "  - {name: noop-" << i << ", plugin: test-noop-" << i << "}\n";
  }

  std::vector<double> external_ms, internal_ms, rss_mb, uss_mb;
  const std::regex started(R"(started in ([0-9.]+) ms)");
  for (int run = 0; run < runs; ++run) {
    std::string data = dir.file("data" + std::to_string(run));
    auto begin = Clock::now();
    skiff::test::SkiffdProcess skiffd({"--profile", profile, "--data-dir", data, "--plugin-path",
                                       skiff::test::test_plugin_dir(), "--log-level", "info"},
                                      dir.file("log" + std::to_string(run)));
    // Polling the log file is the measurement's resolution (0.2 ms), not a synchronisation.
    if (!skiff::test::wait_until([&] { return skiffd.output_contains(" ready: "); }, seconds(20), microseconds(200))) {
      std::fprintf(stderr, "skiffd did not start:\n%s\n", skiffd.output().c_str());
      return 1;
    }
    external_ms.push_back(duration<double, std::milli>(Clock::now() - begin).count());
    std::smatch m;
    std::string out = skiffd.output();
    if (std::regex_search(out, m, started)) internal_ms.push_back(std::stod(m[1]));
    rss_mb.push_back(rss_kb(skiffd.pid()) / 1024.0);
    uss_mb.push_back(private_kb(skiffd.pid()) / 1024.0);
    skiffd.terminate();
  }

  // The peer: nats-server (Go) from exec to accepting connections, and its RSS.
  std::vector<double> nats_ms, nats_rss, nats_uss;
  for (int run = 0; run < runs; ++run) {
    int port = skiff::sdk::find_free_port("127.0.0.1");
    auto begin = Clock::now();
    skiff::kernel::SpawnOptions spawn;
    spawn.argv = {"nats-server", "-a", "127.0.0.1", "-p", std::to_string(port), "--auth", "x"};
    spawn.stderr_fd = open("/dev/null", O_WRONLY);
    pid_t pid = skiff::kernel::spawn_process(spawn);
    skiff::test::wait_until([&] { return port_open(port); }, seconds(10), microseconds(200));
    nats_ms.push_back(duration<double, std::milli>(Clock::now() - begin).count());
    nats_rss.push_back(rss_kb(pid) / 1024.0);
    nats_uss.push_back(private_kb(pid) / 1024.0);
    kill(pid, SIGTERM);
    skiff::kernel::wait_for_exit(pid, seconds(5));
  }

  std::printf("Kernel start, 10 trivial plugins (each with its own bus connection), median of %d runs\n", runs);
  std::printf("  skiffd exec -> all plugins started:   %6.1f ms  (kernel's own count from main(): %.1f ms)\n",
              median(external_ms), internal_ms.empty() ? -1.0 : median(internal_ms));
  std::printf("  skiffd RSS with 10 plugins running:   %6.1f MB  (private to it: %.1f MB)\n", median(rss_mb),
              median(uss_mb));
  std::printf("  peer: nats-server exec -> listening:  %6.1f ms, RSS %.1f MB (private %.1f MB)\n", median(nats_ms),
              median(nats_rss), median(nats_uss));
  std::printf("  skiffd/nats-server: start %.2fx, RSS %.2fx   (targets: start <= 50 ms, RSS <= 10 MB)\n",
              median(external_ms) / median(nats_ms), median(rss_mb) / median(nats_rss));
  return 0;
}
