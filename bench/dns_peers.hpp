// The contenders under dnsperf: dnsmasq and unbound configured with the same names, Skiff's
// server (this binary, `--serve`), each a child process pinned to one core, and dnsperf runs
// pinned to the other core, their output read back.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skiff/testing/process.hpp"

namespace skiff::bench {

struct ServedName {
  std::string name;     // svc-1.ns-1.svc.cluster.local
  std::string address;  // its A record
};

void write_hosts_file(const std::string& path, const std::vector<ServedName>& names);
void write_unbound_conf(const std::string& path, const std::string& directory, int port, const std::vector<ServedName>& names);

// A server on 127.0.0.1:port, started through `taskset -c <core>`, killed when this process dies
// (setpriv --pdeathsig) or when the object goes.
struct PinnedServer {
  std::string name;
  int port = 0;
  std::unique_ptr<test::ChildProcess> process;
};

PinnedServer start_pinned(const std::string& name, int port, int core, std::vector<std::string> argv, const std::string& log_path);

// Waits until the server answers `probe_name` over UDP; throws naming the server and its log.
void wait_answering(const PinnedServer& server, const std::string& probe_name, const std::string& log_path,
                    std::chrono::seconds deadline = std::chrono::seconds(15));

struct DnsperfFigures {
  double qps = 0;
  long sent = 0, completed = 0, lost = 0;
  std::string response_codes;  // as dnsperf prints them
  std::string packet_sizes;    // "request 45, response 96"
  double average_latency_ms = 0;
  std::vector<double> latencies_ms;  // per query, only from a verbose run
  double server_cpu_seconds = 0;     // what the server used during the run
  double seconds = 0;
};

struct DnsperfRun {
  int port = 0;
  std::string query_file;
  int seconds = 10;
  std::optional<double> max_qps;  // -Q: a steady rate instead of saturation
  bool per_query_latency = false; // -v, each answer's latency read from the output
  int core = 1;
  std::string output_path;
};

// Runs dnsperf to completion (throws when it fails, with its output) and reads its figures.
DnsperfFigures run_dnsperf(const DnsperfRun& run, pid_t server_pid);

}  // namespace skiff::bench
