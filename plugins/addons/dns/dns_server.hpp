// The DNS server on the network: per address, one UDP socket per worker thread sharing the port
// (SO_REUSEPORT, so the kernel spreads clients over cores) and a TCP listener whose
// connections carry several length-prefixed queries each until they idle out.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "dns_metrics.hpp"
#include "forwarder.hpp"
#include "responder.hpp"

namespace skiff::dns {

struct ListenAddress {
  IpAddress address;
  std::uint16_t port = 53;  // 0: any free port, the same for UDP and TCP (see bound())
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

struct ServerConfig {
  std::vector<ListenAddress> listen;
  unsigned workers = 0;  // threads, each with its UDP sockets; 0: one per core
  std::chrono::milliseconds tcp_idle_timeout{10000};
  std::size_t max_tcp_connections = 1024;
};

class DnsServer {
 public:
  // `responder`, `forwarder` (may be null: nothing needs upstream then, see ResponderOptions)
  // and `metrics` must outlive the server.
  DnsServer(ServerConfig config, const Responder& responder, Forwarder* forwarder, DnsMetrics& metrics);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Binds every address (throws std::runtime_error saying which one failed and why) and starts
  // the workers.
  void start();
  void stop();

  // The addresses as bound: ports chosen for port 0 filled in.
  std::vector<ListenAddress> bound() const;
  std::size_t tcp_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::dns
