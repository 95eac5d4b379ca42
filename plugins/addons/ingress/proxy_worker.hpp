// What every worker thread reads (the shared config, the current serving state, the hooks) and
// what each owns (its io_context, acceptors and upstream pool).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <vector>

#include "proxy_config.hpp"
#include "proxy_observer.hpp"
#include "serving_state.hpp"
#include "upstream_pool.hpp"

namespace skiff::ingress {

struct ProxyShared {
  ProxyConfig config;
  std::atomic<std::shared_ptr<const ServingState>> state;
  AccessLog* access_log = nullptr;
  ProxyMetrics* metrics = nullptr;
  std::uint16_t https_port = 443;  // where redirects send clients
  mutable std::atomic<std::size_t> client_connections{0};  // counted by the sessions
};

struct ProxyWorker {
  explicit ProxyWorker(const ProxyShared& shared) : shared(shared), pool(shared.config.upstream_pool) {}

  boost::asio::io_context io{1};
  const ProxyShared& shared;
  UpstreamPool pool;  // used from this worker's thread only
  std::vector<boost::asio::ip::tcp::acceptor> acceptors;
};

}  // namespace skiff::ingress
