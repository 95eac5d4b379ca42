// The Services data plane lab's namespaces, servers and wrk (see service_lab.hpp).
#include "service_lab.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "netns_exec.hpp"
#include "skiff/testing/wait.hpp"

namespace skiff::bench {

namespace {

using namespace std::chrono_literals;

void write_file(const std::string& path, std::size_t bytes) {
  std::ofstream file(path, std::ios::binary);
  std::string block(64 * 1024, 'x');
  for (std::size_t written = 0; written < bytes; written += block.size())
    file.write(block.data(), static_cast<std::streamsize>(std::min(block.size(), bytes - written)));
  if (!file) throw std::runtime_error("cannot write " + path);
}

// "1.23GB" of wrk's Transfer/sec as MB (10^6 bytes).
// Busy and total jiffies of all CPUs from /proc/stat's first line.
std::pair<double, double> cpu_jiffies() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  double busy = user + nice + system + irq + softirq + steal;
  return {busy, busy + idle + iowait};
}

double megabytes(double value, const std::string& unit) {
  if (unit == "GB") return value * 1073.741824;
  if (unit == "MB") return value * 1.048576;
  if (unit == "KB") return value * 0.001024;
  return value / 1e6;
}

}  // namespace

ServiceLab::ServiceLab(const std::string& name) : prefix_("pxb" + std::to_string(getpid()) + name) {
  node_ = prefix_ + "-node";
  for (int i = 0; i < kClients; ++i) clients_.push_back(prefix_ + "-client" + std::to_string(i));
  pods_ = {prefix_ + "-pod1", prefix_ + "-pod2"};
  write_file(files_.file(kSmallFile), 612);  // nginx's welcome page is 612 bytes
  write_file(files_.file(kLargeFile), 10u << 20);
  try {
    create_network();
    std::string responder = files_.file("responder.cfg");
    std::ofstream(responder) << "global\n  maxconn 4096\n  nbthread 1\n"
                                "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
                                "frontend web\n  bind :" << kResponderPort << "\n"
                                "  http-request return status 200 content-type text/plain string ok\n";
    for (const auto& pod : pods_) {
      servers_.push_back(std::make_unique<test::ChildProcess>(test::SpawnSpec{
          in(pod, {"busybox", "httpd", "-f", "-p", std::to_string(kPodPort), "-h", files_.path()}), {}, "", "/dev/null", ""}));
      servers_.push_back(std::make_unique<test::ChildProcess>(
          test::SpawnSpec{in(pod, {"haproxy", "-db", "-f", responder}), {}, "", files_.file(pod + ".log"), ""}));
    }
    for (const char* pod_ip : kPodIps) {
      wait_answering(pod_ip, kPodPort);
      wait_answering(pod_ip, kResponderPort);
    }
  } catch (...) {
    servers_.clear();
    remove_network();
    throw;
  }
}

ServiceLab::~ServiceLab() {
  servers_.clear();  // SIGKILLs them
  remove_network();
}

std::vector<std::string> ServiceLab::in(const std::string& netns, std::vector<std::string> command) const {
  command.insert(command.begin(), {"ip", "netns", "exec", netns});
  return command;
}

void ServiceLab::create_network() {
  std::vector<std::string> all = clients_;
  all.insert(all.end(), {node_, pods_[0], pods_[1]});
  for (const auto& ns : all) {
    must_run({"ip", "netns", "add", ns});
    must_run({"ip", "-n", ns, "link", "set", "lo", "up"});
  }
  must_run({"ip", "-n", node_, "link", "add", "br0", "type", "bridge"});
  must_run({"ip", "-n", node_, "addr", "add", std::string(kGateway) + "/24", "dev", "br0"});
  must_run({"ip", "-n", node_, "link", "set", "br0", "up"});
  // The node routes (ClusterIP traffic leaves the bridge for the IP layer and comes back), and
  // bridged replies pass netfilter so conntrack can undo the DNAT (kube-proxy needs the same).
  // No ICMP redirects: traffic sent through the node must stay on that path.
  must_run(in(node_, {"sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.bridge.bridge-nf-call-iptables=1",
                      "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.br0.send_redirects=0"}));
  std::vector<std::pair<std::string, std::string>> hosts = {{pods_[0], kPodIps[0]}, {pods_[1], kPodIps[1]}};
  for (int i = 0; i < kClients; ++i) hosts.emplace_back(clients_[i], "10.244.0." + std::to_string(10 + i));
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const auto& [ns, address] = hosts[i];
    std::string port = "veth" + std::to_string(i);
    must_run({"ip", "-n", node_, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns});
    must_run({"ip", "-n", node_, "link", "set", port, "master", "br0", "up"});
    must_run({"ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0"});
    must_run({"ip", "-n", ns, "link", "set", "eth0", "up"});
    must_run({"ip", "-n", ns, "route", "add", "default", "via", kGateway});
  }
  for (const auto& client : clients_)
    must_run(in(client, {"sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=1024 65535", "net.ipv4.conf.all.accept_redirects=0"}));
  for (const char* pod_ip : kPodIps)
    must_run({"ip", "-n", clients_[kRoutedClient], "route", "add", std::string(pod_ip) + "/32", "via", kGateway});
}

void ServiceLab::remove_network() {
  std::vector<std::string> all = clients_;
  all.insert(all.end(), {pods_[0], pods_[1], node_});
  for (const auto& ns : all) run_timed({"ip", "netns", "del", ns}, "/dev/null", 10s);
}

void ServiceLab::start_haproxy() {
  std::string config = files_.file("haproxy.cfg");
  std::ofstream out(config);
  out << "global\n  maxconn 4096\n"
         "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n";
  for (auto [front, back] : {std::pair{kHaproxyPort, kPodPort}, std::pair{kHaproxyResponderPort, kResponderPort}}) {
    out << "listen port" << front << "\n  bind " << kGateway << ":" << front << "\n  balance roundrobin\n";
    for (int i = 0; i < 2; ++i) out << "  server pod" << i + 1 << " " << kPodIps[i] << ":" << back << "\n";
  }
  out.close();
  servers_.push_back(std::make_unique<test::ChildProcess>(
      test::SpawnSpec{in(node_, {"haproxy", "-db", "-f", config}), {}, "", files_.file("haproxy.log"), ""}));
  wait_answering(kGateway, kHaproxyPort);
  wait_answering(kGateway, kHaproxyResponderPort);
}

void ServiceLab::flush_conntrack() const { run_timed(in(node_, {"conntrack", "-F"}), "/dev/null", 10s); }

void ServiceLab::wait_answering(const std::string& address, int port) const {
  std::string url = "http://" + address + ":" + std::to_string(port) + "/" + kSmallFile;
  bool answered = test::wait_until([&] {
    return run_timed(in(clients_[0], {"curl", "-sf", "-o", "/dev/null", "--max-time", "2", url}), "/dev/null", 5s).exit_code == 0;
  }, 10s, 50ms);
  if (!answered) throw std::runtime_error(url + " does not answer from the client namespace");
}

WrkResult ServiceLab::wrk(int client, const std::string& url, int connections, int seconds, bool new_connections) const {
  std::vector<std::string> command = {"wrk", "-t1", "-c" + std::to_string(connections), "-d" + std::to_string(seconds) + "s"};
  if (new_connections) command.insert(command.end(), {"-H", "Connection: close"});
  command.push_back(url);
  auto [busy_before, total_before] = cpu_jiffies();
  std::string out = must_run(in(clients_.at(client), command), std::chrono::seconds(seconds + 30));
  auto [busy_after, total_after] = cpu_jiffies();
  if (std::getenv("SKIFF_BENCH_VERBOSE")) std::fprintf(stderr, "%s\n", out.c_str());
  static const std::regex rate(R"(Requests/sec:\s*([0-9.]+))"), transfer(R"(Transfer/sec:\s*([0-9.]+)([KMG]?B))"),
      errors(R"((Socket errors:[^\n]*|Non-2xx or 3xx responses:[^\n]*))");
  std::smatch m;
  WrkResult result;
  if (!std::regex_search(out, m, rate)) throw std::runtime_error("no wrk figure for " + url + ": " + out);
  result.requests_per_second = std::stod(m[1]);
  result.cpu_busy = (busy_after - busy_before) / std::max(total_after - total_before, 1.0);
  if (std::regex_search(out, m, transfer)) result.megabytes_per_second = megabytes(std::stod(m[1]), m[2]);
  for (auto it = std::sregex_iterator(out.begin(), out.end(), errors); it != std::sregex_iterator(); ++it)
    result.problems += (result.problems.empty() ? "" : "; ") + it->str();
  return result;
}

}  // namespace skiff::bench
