// The proxy's hooks written into the plugin's metrics (Prometheus text on the bus): requests
// by Ingress and status code, and upstream latency by Ingress and Service.
#pragma once

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
  sdk::Metrics& metrics_;
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
