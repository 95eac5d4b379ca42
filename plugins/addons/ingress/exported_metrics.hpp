// The proxy's hooks written into the plugin's metrics (Prometheus text on the bus): requests
// by Ingress and status code, and upstream latency by Ingress and Service.
#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proxy_observer.hpp"
#include "skiff/sdk/metrics.hpp"

namespace spdlog {
class logger;
}

namespace skiff::ingress {

class ExportedMetrics final : public ProxyMetrics {
 public:
  explicit ExportedMetrics(sdk::Metrics& metrics) : metrics_(metrics) {}

  void count_request(const BackendIdentity* backend, unsigned status) override;
  void observe_upstream_latency(const BackendIdentity& backend, std::chrono::microseconds latency) override;

 private:
  // Series already found, by their label values joined: a request finds its series under a
  // shared lock without building labels; sdk::Metrics (one mutex, labels as strings) is asked
  // only for a series not seen yet. Its references stay valid, so they can be kept.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  template <class Series>
  using SeriesCache = std::unordered_map<std::string, Series*, KeyHash, std::equal_to<>>;

  sdk::Metrics& metrics_;
  std::shared_mutex cache_mutex_;
  SeriesCache<sdk::Counter> requests_;
  SeriesCache<sdk::Histogram> latencies_;
};

// Writes each request's access_log_line on the plugin's log (info).
class LoggedAccess final : public AccessLog {
 public:
  explicit LoggedAccess(spdlog::logger& log) : log_(log) {}
  void request_done(const RequestRecord& record) override;

 private:
  spdlog::logger& log_;
};

}  // namespace skiff::ingress
