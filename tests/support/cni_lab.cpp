// The lab's pieces are made with ip and iptables, as an administrator would, and checked the same way.
#include "cni_lab.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace skiff::test {

namespace fs = std::filesystem;

namespace {

std::atomic<int> labs_made{0};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> nat_table() { return lines_of(run_command({"iptables", "-t", "nat", "-S"}).out); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// iptables -S prints rules quoted as a shell reads them: so a rule is deleted through sh.
void delete_rule(const std::string& rule) {
  if (rule.rfind("-A ", 0) == 0) run_command({"sh", "-c", "iptables -t nat -D " + rule.substr(3)});
}

void remove_chain(const std::string& chain) {
  run_command({"iptables", "-t", "nat", "-F", chain});
  run_command({"iptables", "-t", "nat", "-X", chain});
}

// A 10.123.N.0/24 that no route or address on the host uses yet.
std::string free_prefix() {
  std::string routes = run_command({"ip", "-4", "route", "show", "table", "all"}).out + run_command({"ip", "-4", "addr"}).out;
  int start = 20 + getpid() % 200;
  for (int i = 0; i < 230; ++i) {
    std::string prefix = "10.123." + std::to_string(20 + (start - 20 + i) % 230) + ".";
    if (!contains(routes, prefix)) return prefix;
  }
  throw std::runtime_error("no free /24 in 10.123.0.0/16 for a CNI lab");
}

}  // namespace

CniLab::CniLab() {
  if (geteuid() != 0) throw std::runtime_error("a CNI lab needs root (network namespaces, bridges, iptables)");
  if (access("/usr/lib/cni/bridge", X_OK) != 0)
    throw std::runtime_error("the CNI plugins are missing: apt-get install containernetworking-plugins");
  int n = labs_made++;
  std::string id = std::to_string(getpid()) + "-" + std::to_string(n);
  network_ = "skiff-test-" + id;
  bridge_ = "skc" + id;  // at most 15 characters: "skc" + 7-digit pid + "-" + a digit or two
  prefix_ = free_prefix();
  fs::create_directories(conf_dir());
  fs::create_directories(ipam_dir());
  for (const auto& rule : nat_table())
    if (rule == "-N CNI-HOSTPORT-DNAT") hostport_chain_existed_ = true;
}

CniLab::~CniLab() {
  for (const auto& netns : namespaces_) run_command({"ip", "netns", "del", netns});
  remove_portmap_rules();
  run_command({"ip", "link", "del", bridge_});
}

std::string CniLab::conflist_json(bool with_portmap) const {
  return R"({"cniVersion": "1.0.0", "name": ")" + network_ + R"(", "plugins": [
    {"type": "loopback"},
    {"type": "bridge", "bridge": ")" + bridge_ + R"(", "isGateway": true, "ipMasq": false,
     "ipam": {"type": "host-local", "subnet": ")" + subnet() + R"(", "dataDir": ")" + ipam_dir() + R"(",
              "routes": [{"dst": "0.0.0.0/0"}]}})" +
         std::string(with_portmap ? R"(,
    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true})" : "") + "]}";
}

std::string CniLab::write_conflist() const {
  std::string path = conf_dir() + "/10-" + network_ + ".conflist";
  std::ofstream(path) << conflist_json();
  return path;
}

std::vector<std::string> CniLab::reserved_ips() const {
  std::vector<std::string> ips;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ipam_dir() + "/" + network_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix_, 0) == 0) ips.push_back(name);  // not "lock" nor "last_reserved_ip.0"
  }
  return ips;
}

std::string CniLab::add_netns() {
  std::string name = "skiff-" + network_.substr(std::string("skiff-test-").size()) + "-" + std::to_string(namespaces_.size());
  auto made = run_command({"ip", "netns", "add", name});
  if (made.exit_code != 0) throw std::runtime_error("ip netns add " + name + ": " + made.both());
  namespaces_.push_back(name);
  return name;
}

std::vector<std::string> CniLab::nat_rules() const {
  std::vector<std::string> ours;
  for (const auto& rule : nat_table())
    if (contains(rule, "\\\"" + network_ + "\\\"") || contains(rule, prefix_)) ours.push_back(rule);
  return ours;
}

// portmap leaves a per-container chain (CNI-DN-…) only when its DEL did not run; the shared
// CNI-HOSTPORT-* chains and their jumps stay for ever: they go when the lab made them and no
// one else's rule is in them.
void CniLab::remove_portmap_rules() const {
  for (const auto& rule : nat_rules()) {
    if (rule.rfind("-A CNI-HOSTPORT-DNAT ", 0) != 0) continue;
    delete_rule(rule);
    if (auto jump = rule.find(" -j "); jump != std::string::npos) remove_chain(rule.substr(jump + 4));
  }
  if (hostport_chain_existed_) return;
  auto table = nat_table();
  for (const auto& rule : table)
    if (rule.rfind("-A CNI-HOSTPORT-DNAT ", 0) == 0) return;  // someone else's hostPort
  for (const auto& rule : table)
    if (contains(rule, "-j CNI-HOSTPORT-") && rule.rfind("-A CNI-HOSTPORT-", 0) != 0) delete_rule(rule);
  for (const char* chain : {"CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK"}) remove_chain(chain);
}

CommandResult run_in_netns(const std::string& netns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"ip", "netns", "exec", netns});
  return run_command(argv);
}

std::string tcp_exchange(const std::string& ip, int port, const std::string& request, std::chrono::milliseconds timeout) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return reply;
}

}  // namespace skiff::test
