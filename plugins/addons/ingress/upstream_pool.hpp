// Idle keep-alive connections to upstream endpoints, for one worker thread (never shared across
// threads, so no lock): bounded per endpoint, dropped once idle too long.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "ingress_values.hpp"

namespace skiff::ingress {

struct PoolLimits {
  std::size_t max_idle_per_endpoint = 32;
  std::chrono::milliseconds idle_timeout{60000};
};

class UpstreamPool {
 public:
  explicit UpstreamPool(PoolLimits limits) : limits_(limits) {}

  // The most recently idled live connection to `endpoint`, or nullopt (then connect anew). A
  // connection the upstream closed may still come out: the caller retries what it can.
  std::optional<boost::beast::tcp_stream> take(const Endpoint& endpoint);
  // A connection whose last response was read completely and may be reused.
  void give_back(const Endpoint& endpoint, boost::beast::tcp_stream connection);
  // Closes connections idle too long or closed by their upstream, for every endpoint: those of
  // endpoints no route names any more would otherwise stay open until the worker stops.
  void sweep();
  std::size_t idle_count() const;

 private:
  struct IdleConnection {
    boost::beast::tcp_stream stream;
    std::chrono::steady_clock::time_point since;
  };
  void drop_expired(std::deque<IdleConnection>& idle);

  PoolLimits limits_;
  std::unordered_map<std::string, std::deque<IdleConnection>> idle_;  // by "ip:port", oldest first
};

}  // namespace skiff::ingress
