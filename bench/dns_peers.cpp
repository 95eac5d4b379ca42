// Config files for the peers, pinned child processes, and dnsperf's summary and verbose lines read back.
#include "dns_peers.hpp"

#include <boost/asio.hpp>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "bench_support.hpp"
#include "dns_messages.hpp"

namespace skiff::bench {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::ofstream open_for_writing(const std::string& path) {
  std::ofstream file(path);
  if (!file) throw std::runtime_error("dns_bench: cannot write " + path);
  return file;
}

bool answers_once(int port, const std::string& name) {
  asio::io_context io;
  asio::ip::udp::socket socket(io, asio::ip::udp::v4());
  socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)});
  socket.send(asio::buffer(dns::test::make_query(name, 1)));
  std::vector<std::uint8_t> buffer(4096);
  bool answered = false;
  socket.async_receive(asio::buffer(buffer), [&](boost::system::error_code error, std::size_t size) {
    answered = !error && dns::test::parse_message({buffer.data(), size}).has_value();
  });
  io.run_for(200ms);
  return answered;
}

std::string summary_field(const std::string& text, const std::string& label) {
  auto at = text.find(label);
  if (at == std::string::npos) return "";
  auto start = text.find_first_not_of(' ', at + label.size());
  return text.substr(start, text.find('\n', start) - start);
}

// "> NOERROR svc-1.ns-1.svc.cluster.local A 0.000123": the last field is the latency in seconds;
// "> T svc-1… A": no answer within the timeout.
std::vector<double> verbose_latencies_ms(const std::string& path, double timeout_ms) {
  std::ifstream file(path);
  std::vector<double> latencies;
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("> ", 0) != 0) continue;
    if (line.rfind("> T ", 0) == 0) {  // timed out: counted at the timeout, so losses show in p99
      latencies.push_back(timeout_ms);
      continue;
    }
    char* end = nullptr;
    auto last = line.substr(line.rfind(' ') + 1);
    double seconds = std::strtod(last.c_str(), &end);
    if (end == last.c_str() || *end != '\0')
      throw std::runtime_error("dns_bench: no latency at the end of dnsperf's line \"" + line + "\" in " + path);
    latencies.push_back(seconds * 1000.0);
  }
  return latencies;
}

}  // namespace

void write_hosts_file(const std::string& path, const std::vector<ServedName>& names) {
  auto file = open_for_writing(path);
  for (const auto& served : names) file << served.address << ' ' << served.name << '\n';
}

void write_unbound_conf(const std::string& path, const std::string& directory, int port, const std::vector<ServedName>& names) {
  auto file = open_for_writing(path);
  // Foreground, one thread, no privileges dropped, no chroot, no DNSSEC module, no remote
  // control: a local-data server and nothing else.
  file << "server:\n"
       << "  interface: 127.0.0.1\n  port: " << port << "\n  do-ip6: no\n  do-daemonize: no\n"
       << "  username: \"\"\n  chroot: \"\"\n  directory: \"" << directory << "\"\n  pidfile: \"\"\n"
       << "  use-syslog: no\n  logfile: \"\"\n  verbosity: 0\n  num-threads: 1\n"
       << "  module-config: \"iterator\"\n  access-control: 127.0.0.0/8 allow\n"
       << "  local-zone: \"cluster.local.\" static\n";
  for (const auto& served : names) file << "  local-data: \"" << served.name << ". 30 IN A " << served.address << "\"\n";
  file << "remote-control:\n  control-enable: no\n";
}

PinnedServer start_pinned(const std::string& name, int port, int core, std::vector<std::string> argv, const std::string& log_path) {
  argv.insert(argv.begin(), {"taskset", "-c", std::to_string(core)});
  test::SpawnSpec spec;
  spec.argv = std::move(argv);
  spec.output_path = log_path;
  return {name, port, std::make_unique<test::ChildProcess>(spec)};
}

void wait_answering(const PinnedServer& server, const std::string& probe_name, const std::string& log_path,
                    std::chrono::seconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!answers_once(server.port, probe_name)) {
    if (server.process->wait(0ms))
      throw std::runtime_error("dns_bench: " + server.name + " exited at start; its output:\n" + test::read_file(log_path));
    if (std::chrono::steady_clock::now() > until)
      throw std::runtime_error("dns_bench: " + server.name + " does not answer on 127.0.0.1:" + std::to_string(server.port) +
                               "; its output:\n" + test::read_file(log_path));
  }
}

DnsperfFigures run_dnsperf(const DnsperfRun& run, pid_t server_pid) {
  // One thread, 8 sockets, 200 queries in flight (enough to keep one core of the server busy),
  // a 1 s timeout so a lost query is counted as lost within the run.
  std::vector<std::string> argv{"taskset", "-c", std::to_string(run.core), "dnsperf", "-s", "127.0.0.1", "-p",
                                std::to_string(run.port), "-d", run.query_file, "-l", std::to_string(run.seconds),
                                "-T", "1", "-c", "8", "-q", "200", "-t", "1"};
  if (run.max_qps) argv.insert(argv.end(), {"-Q", std::to_string(static_cast<long>(*run.max_qps))});
  if (run.per_query_latency) argv.push_back("-v");
  std::remove(run.output_path.c_str());
  test::SpawnSpec spec;
  spec.argv = argv;
  spec.output_path = run.output_path;
  double cpu_before = cpu_seconds(server_pid);
  test::ChildProcess dnsperf(spec);
  auto code = dnsperf.wait(std::chrono::seconds(run.seconds + 30));
  double cpu_after = cpu_seconds(server_pid);
  std::string text = test::read_file(run.output_path);
  if (code != 0) throw std::runtime_error("dns_bench: dnsperf failed (exit " + (code ? std::to_string(*code) : "timeout") + "):\n" + text.substr(0, 4000));

  DnsperfFigures figures;
  auto number = [&](const std::string& label) {
    auto value = summary_field(text, label);
    char* end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    if (value.empty() || end == value.c_str())
      throw std::runtime_error("dns_bench: no number after \"" + label + "\" in dnsperf's output:\n" + text.substr(0, 4000));
    return number;
  };
  figures.qps = number("Queries per second:");
  figures.sent = static_cast<long>(number("Queries sent:"));
  figures.completed = static_cast<long>(number("Queries completed:"));
  figures.lost = static_cast<long>(number("Queries lost:"));
  figures.seconds = number("Run time (s):");
  figures.average_latency_ms = number("Average Latency (s):") * 1000.0;
  figures.response_codes = summary_field(text, "Response codes:");
  figures.packet_sizes = summary_field(text, "Average packet size:");
  figures.server_cpu_seconds = cpu_after - cpu_before;
  if (run.per_query_latency) figures.latencies_ms = verbose_latencies_ms(run.output_path, 1000.0);
  return figures;
}

}  // namespace skiff::bench
