// A node in miniature for the Services data plane: network namespaces `node` (a bridge with
// 10.244.0.1/24, forwarding on, bridged IPv4 through netfilter), four clients (10.244.0.10–13)
// and two pods (10.244.0.2 and .3) on that bridge. Each pod serves a small and a 10 MB file with
// busybox httpd (which forks per connection) and a small answer from an event-driven responder
// (haproxy's `http-request return`, no fork: for connection rates the proxy path can limit);
// haproxy in TCP mode (roundrobin to the pods) runs in `node` on demand. wrk runs in a client,
// one per path measured, because a pod's TIME_WAIT sockets from one path's connections (same
// client address and port, other timestamps) would stall the next path's SYNs for a second.
// Everything is removed when the lab goes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "skiff/testing/process.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace skiff::bench {

struct WrkResult {
  double requests_per_second = 0;
  double megabytes_per_second = 0;
  double cpu_busy = 0;   // the machine's CPUs busy meanwhile (0..1), all processes
  std::string problems;  // wrk's socket errors and non-2xx responses, "" when none
};

class ServiceLab {
 public:
  static constexpr const char* kPodIps[2] = {"10.244.0.2", "10.244.0.3"};
  static constexpr const char* kGateway = "10.244.0.1";
  static constexpr int kClients = 4;  // 10.244.0.10, .11, .12, .13
  // This client reaches the pods through the node's IP layer (host routes via the gateway), as
  // ClusterIP traffic does, but without NAT: what routing alone costs.
  static constexpr int kRoutedClient = 3;
  static constexpr int kPodPort = 8080;       // busybox httpd
  static constexpr int kResponderPort = 8090;  // the event-driven responder
  static constexpr int kHaproxyPort = 8081;           // → the pods' kPodPort
  static constexpr int kHaproxyResponderPort = 8091;  // → the pods' kResponderPort
  static constexpr const char* kSmallFile = "small";
  static constexpr const char* kLargeFile = "large";

  // `name` tells this process's labs apart in namespace names ("pxb<pid><name>-node" …).
  // Throws std::runtime_error naming the step that failed (after undoing the rest).
  explicit ServiceLab(const std::string& name);
  ~ServiceLab();
  ServiceLab(const ServiceLab&) = delete;
  ServiceLab& operator=(const ServiceLab&) = delete;

  std::string node_netns_path() const { return "/run/netns/" + node_; }
  // haproxy in TCP mode on kGateway, roundrobin to both pods (two frontends, see the ports).
  void start_haproxy();
  // Empties the node's conntrack table, so that no sample inherits the previous one's entries.
  void flush_conntrack() const;
  // Waits (up to 10 s) until http://address:port/small answers from client 0.
  void wait_answering(const std::string& address, int port) const;
  // wrk from client `client` for `seconds`: each request on its own connection when `new_connections`.
  WrkResult wrk(int client, const std::string& url, int connections, int seconds, bool new_connections) const;

 private:
  void create_network();
  void remove_network();
  std::vector<std::string> in(const std::string& netns, std::vector<std::string> command) const;

  std::string prefix_;
  std::string node_;
  std::vector<std::string> clients_;
  std::vector<std::string> pods_;
  test::TempDir files_;
  std::vector<std::unique_ptr<test::ChildProcess>> servers_;
};

}  // namespace skiff::bench
