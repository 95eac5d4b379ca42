// How the proxy is set up: where it listens, its threads, timeouts towards clients, the
// upstream pools and the certificate for TLS clients naming no known host.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ingress_values.hpp"
#include "upstream_pool.hpp"

namespace skiff::ingress {

struct Listener {
  std::string address = "0.0.0.0";
  std::uint16_t port = 80;  // 0: any free port (see ProxyServer::bound)
  bool tls = false;
  friend bool operator==(const Listener&, const Listener&) = default;
};

struct ProxyConfig {
  std::vector<Listener> listen;
  unsigned workers = 0;  // threads, each with its own io_context, acceptors and pools; 0: one per core
  std::optional<TlsCertificate> default_certificate;  // none: handshakes naming no TLS host fail
  std::chrono::milliseconds client_timeout{60000};  // a keep-alive client's idle time, and each read/write
  PoolLimits upstream_pool;
  std::optional<std::uint16_t> https_redirect_port;  // none: the first TLS listener's port
};

}  // namespace skiff::ingress
