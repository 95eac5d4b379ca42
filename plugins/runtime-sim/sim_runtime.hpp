// One simulated node's runtime: sandboxes, containers and their log lines, in memory only.
// Containers start at once and run until stopped, or exit on their own when their SIM_*
// environment says so; nothing is executed, no network is made.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/runtime/runtime_service.hpp"

namespace skiff::sim {

namespace rt = runtime::v1;
using Clock = std::chrono::system_clock;

struct SimRuntimeOptions {
  std::string node;
  int index = 0;                    // the node's place among those one plugin serves: picks its pod IPs
  std::vector<std::string> images;  // present from the start; empty: every image that can be pulled
  std::string version = "0.1.0";    // reported as the runtime's version
  std::string handler = "sim";      // the RuntimeClass handler it answers to
  bool serve_default = true;        // also the node's default runtime
  // What a running container uses when its SIM_CPU_USAGE / SIM_MEMORY_USAGE do not say.
  std::int64_t cpu_millicores = 10;
  std::uint64_t memory_bytes = 4 << 20;
};

struct LogLine {
  Clock::time_point time;
  std::string text;  // ends with '\n'
};

// What an exec without stdin printed (stdout, stderr), and its exit code.
struct ExecResult {
  std::string output;
  std::string error;
  int exit_code = 0;
};

// What a logs reader gets: new lines from a position on, and whether more may come.
struct LogsFrom {
  std::vector<LogLine> lines;
  std::size_t next = 0;  // the position after them
  bool ended = false;    // the container has exited
  std::optional<Clock::time_point> next_line_due;  // when it writes again on its own (SIM_LOG_EVERY)
};

class SimRuntime final : public sdk::RuntimeService {
 public:
  explicit SimRuntime(SimRuntimeOptions options);

  // The contract, from runtime_service.hpp (logs and exec are in sim_streams.cpp).
  SKIFF_RUNTIME_SERVICE_OVERRIDES
  // Sandboxes get their IPs from the node's pod subnet once the kubelet has passed it on.
  void update_runtime_config(const rt::RuntimeConfigRequest& config) override;
  // Every figure in one pass under the node's lock.
  rt::ListStatsResponse list_stats(const rt::ListStatsRequest& request) override;

  // Log lines of a container from `from` on (0: all); throws 404 for an unknown container.
  LogsFrom log_lines(const std::string& id, std::size_t from) const;
  // Throws 404 for an unknown container, 409 when it is not running (what docker answers).
  void check_running(const std::string& id) const;
  // A command "run" in a running container (throws as check_running): `true`, `false`, and
  // `touch`, `rm [-f]`, `cat`, `test -e|-f` on the container's simulated files act as their
  // namesakes; any other command prints its command line and exits 0.
  ExecResult simulate_exec(const std::string& id, const std::vector<std::string>& command);

  // Streams wait here for news: a log line, a state change, or a poke (told to stop).
  std::uint64_t changes() const;
  void wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout) const;
  void poke();

  std::size_t sandbox_count() const;
  std::size_t running_count() const;

 private:
  struct Sandbox {
    rt::SandboxConfig config;
    std::map<std::string, std::string> labels;
    bool ready = true;
    std::string ip;
    int host = 0;  // the last byte of ip; 0 with host network
    Clock::time_point created;
  };
  struct Container {
    rt::ContainerConfig config;
    std::string sandbox_id;
    std::map<std::string, std::string> labels;
    std::string state = "CREATED";
    Clock::time_point created, started, finished;
    int exit_code = 0;
    std::vector<LogLine> log;
    // What the simulated process does, from its SIM_* environment (see the README).
    std::optional<int> exits_with;             // exits on its own with this code …
    std::chrono::milliseconds exits_after{0};  // … this long after it started
    std::set<std::string> files;               // what exec's file commands see
    std::int64_t cpu_millicores = 0;           // its CPU counter's rate while it runs
    std::uint64_t memory_bytes = 0;            // its working set while it runs (capped at its limit)
    std::chrono::nanoseconds log_every{0};     // writes "sim: line <n>" this often while it runs
    std::size_t log_line_bytes = 0;            // … padded with '.' to this length
    std::uint64_t lines_written = 0;
  };

  bool image_present(const std::string& image) const;
  std::string new_id();
  int take_host();
  sdk::Ipv4Cidr subnet() const;  // with mutex_ held
  static void end_locked(Container& c, int exit_code, Clock::time_point at, const char* how);
  // The SIM_LOG_EVERY lines a running container has written up to `until`, each at its time.
  static void write_due_lines(Container& c, Clock::time_point until);
  // Containers whose time to exit on their own has come exit now: called under mutex_ by
  // every look at containers, so an exit is seen by whoever looks first.
  void settle() const;
  void changed() const;  // with mutex_ held
  const Sandbox& sandbox_at(const std::string& id) const;
  Container& container_at(const std::string& id);
  const Container& container_at(const std::string& id) const;
  rt::ContainerStatus status_of(const std::string& id, const Container& c) const;
  // Synthetic, deterministic figures (sim_stats.cpp): counters grow at a fixed rate.
  static rt::StatsResponse stats_of(const Container& c, Clock::time_point now);
  static rt::SandboxStatsResponse network_of(const Sandbox& s, Clock::time_point now);

  SimRuntimeOptions options_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  // Mutable: looking at a container may settle its exit (see settle()).
  mutable std::uint64_t changes_ = 0;
  std::mt19937_64 random_;
  std::set<std::string> pulled_;
  std::map<std::string, Sandbox> sandboxes_;
  mutable std::map<std::string, Container> containers_;
  mutable std::multimap<Clock::time_point, std::string> exits_due_;  // container ids by when they exit
  std::optional<sdk::Ipv4Cidr> pod_cidr_;
  std::set<int> hosts_in_use_;
  int last_host_ = 1;  // so the first is .2: .1 is the gateway
};

// Images named like this fail to pull, so "image missing" paths can be simulated: a name
// containing "missing", or one from a .invalid registry (RFC 2606: it never resolves).
bool image_unpullable(const std::string& image);

}  // namespace skiff::sim
