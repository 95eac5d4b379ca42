// What the proxy tells its owner about each request: an access-log hook and metrics hooks,
// both implemented by the plugin (called from the proxy's worker threads, concurrently).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "ingress_values.hpp"

namespace skiff::ingress {

struct RequestRecord {
  std::string method;
  std::string host;  // normalised
  std::string target;
  std::string request_id;
  unsigned status = 0;               // as sent to the client (0: the client left before one was sent)
  std::uint64_t response_body_bytes = 0;
  std::string upstream;              // "ip:port", "" when no upstream was tried
  std::optional<BackendIdentity> backend;  // the route's, when one matched
  std::chrono::microseconds duration{0};  // from the request's header read to the response's end
  std::optional<std::chrono::microseconds> upstream_latency;  // request sent → response header read
};

// One line of text for an access log.
std::string access_log_line(const RequestRecord& record);

class AccessLog {
 public:
  virtual ~AccessLog() = default;
  virtual void request_done(const RequestRecord& record) = 0;
};

class ProxyMetrics {
 public:
  virtual ~ProxyMetrics() = default;
  // Every answered request; `backend` null when no route matched.
  virtual void count_request(const BackendIdentity* backend, unsigned status) = 0;
  // Each upstream exchange that got a response header.
  virtual void observe_upstream_latency(const BackendIdentity& backend, std::chrono::microseconds latency) = 0;
};

}  // namespace skiff::ingress
