// The Ingress reverse proxy: HTTP/1.1 and HTTPS listeners served by a few worker threads,
// routing every request by the route table of the moment; tables are swapped live.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "proxy_config.hpp"
#include "proxy_observer.hpp"
#include "route_table.hpp"

namespace skiff::ingress {

class ProxyServer {
 public:
  // `access_log` and `metrics` may be null; when given they must outlive the server.
  ProxyServer(ProxyConfig config, AccessLog* access_log = nullptr, ProxyMetrics* metrics = nullptr);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Binds every listener (throws std::runtime_error naming the one that failed and why) and
  // starts the workers. Until set_routes, every request gets 404.
  void start();
  void stop();

  // Serves `table` from now on: requests already in flight finish on the table they started
  // with, keep-alive clients stay connected. Returns the certificates OpenSSL refused (their
  // hosts get the default certificate).
  std::vector<std::string> set_routes(std::shared_ptr<const RouteTable> table);

  // The listeners as bound: ports chosen for port 0 filled in.
  std::vector<Listener> bound() const;
  std::size_t client_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::ingress
