// Names after ingress-nginx's (requests, upstream latency), prefixed skiff_ingress_. Each series
// is looked up in sdk::Metrics once and then found again in this class's cache.
#include "exported_metrics.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <span>

namespace skiff::ingress {

namespace {

// Upstream latencies from 0.5 ms to 60 s.
const std::vector<double> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10, 30, 60};

// Label values joined by '\0' (which no Kubernetes name holds) into `buffer`; empty when they do
// not fit (then the series is asked of sdk::Metrics directly).
std::string_view join_key(std::span<char> buffer, std::string_view a, std::string_view b, std::string_view c) {
  std::size_t size = a.size() + b.size() + c.size() + 2;
  if (size > buffer.size()) return {};
  char* out = buffer.data();
  for (std::string_view part : {a, b, c}) {
    out = std::copy(part.begin(), part.end(), out);
    if (out != buffer.data() + size) *out++ = '\0';
  }
  return {buffer.data(), size};
}

template <class Series, class Cache, class Lookup>
Series& cached(std::shared_mutex& mutex, Cache& cache, std::string_view key, const Lookup& lookup) {
  if (!key.empty()) {
    std::shared_lock lock(mutex);
    if (auto found = cache.find(key); found != cache.end()) return *found->second;
  }
  Series& series = lookup();
  if (!key.empty()) {
    std::unique_lock lock(mutex);
    cache.try_emplace(std::string(key), &series);
  }
  return series;
}

}  // namespace

void ExportedMetrics::count_request(const BackendIdentity* backend, unsigned status) {
  static const std::string none;
  const std::string& ingress_namespace = backend ? backend->ingress_namespace : none;
  const std::string& ingress_name = backend ? backend->ingress_name : none;
  char digits[16];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, status);
  std::string_view status_text(digits, static_cast<std::size_t>(end - digits));
  char buffer[512];
  auto key = join_key(buffer, ingress_namespace, ingress_name, status_text);
  auto lookup = [&]() -> sdk::Counter& {
    sdk::Labels labels{{"namespace", ingress_namespace}, {"ingress", ingress_name}, {"status", std::string(status_text)}};
    return metrics_.counter("skiff_ingress_requests_total", "Requests answered, by Ingress (\"\": no route) and status code",
                            labels);
  };
  cached<sdk::Counter>(cache_mutex_, requests_, key, lookup).inc();
}

void ExportedMetrics::observe_upstream_latency(const BackendIdentity& backend, std::chrono::microseconds latency) {
  char buffer[512];
  auto key = join_key(buffer, backend.ingress_namespace, backend.ingress_name, backend.service);
  auto lookup = [&]() -> sdk::Histogram& {
    sdk::Labels labels{{"namespace", backend.ingress_namespace}, {"ingress", backend.ingress_name}, {"service", backend.service}};
    return metrics_.histogram("skiff_ingress_upstream_latency_seconds",
                              "From the request sent upstream to the response header read", kLatencyBuckets, labels);
  };
  cached<sdk::Histogram>(cache_mutex_, latencies_, key, lookup).observe(std::chrono::duration<double>(latency).count());
}

void LoggedAccess::request_done(const RequestRecord& record) { log_.info("{}", access_log_line(record)); }

}  // namespace skiff::ingress
