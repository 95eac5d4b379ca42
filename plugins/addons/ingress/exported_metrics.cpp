// Names after ingress-nginx's (requests, upstream latency), prefixed skiff_ingress_. sdk::Metrics
// finds a labelled series under a mutex: one short lookup per request and per upstream answer.
#include "exported_metrics.hpp"

#include <spdlog/logger.h>

namespace skiff::ingress {

namespace {

// Upstream latencies from 0.5 ms to 60 s.
const std::vector<double> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10, 30, 60};

}  // namespace

void ExportedMetrics::count_request(const BackendIdentity* backend, unsigned status) {
  sdk::Labels labels{{"namespace", backend ? backend->ingress_namespace : ""},
                     {"ingress", backend ? backend->ingress_name : ""},
                     {"status", std::to_string(status)}};
  metrics_.counter("skiff_ingress_requests_total", "Requests answered, by Ingress (\"\": no route) and status code", labels)
      .inc();
}

void ExportedMetrics::observe_upstream_latency(const BackendIdentity& backend, std::chrono::microseconds latency) {
  sdk::Labels labels{{"namespace", backend.ingress_namespace}, {"ingress", backend.ingress_name}, {"service", backend.service}};
  metrics_
      .histogram("skiff_ingress_upstream_latency_seconds", "From the request sent upstream to the response header read",
                 kLatencyBuckets, labels)
      .observe(std::chrono::duration<double>(latency).count());
}

void LoggedAccess::request_done(const RequestRecord& record) { log_.info("{}", access_log_line(record)); }

}  // namespace skiff::ingress
