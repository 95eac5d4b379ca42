// Counters and gauges a plugin exposes; rendered as Prometheus text on the bus.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace skiff::sdk {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Only goes up.
class Counter {
 public:
  void inc(double delta = 1) { gauge_.add(delta); }
  double value() const { return gauge_.value(); }

 private:
  Gauge gauge_;
};

// Observations counted into cumulative buckets (Prometheus' histogram): latencies whose
// distribution matters, not just their mean.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Per bucket, not cumulative; the last one is +Inf.
  std::vector<std::uint64_t> bucket_counts() const;
  double sum() const { return sum_.value(); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  Gauge sum_;
  std::atomic<std::uint64_t> count_{0};
};

class Metrics {
 public:
  // Returns the same object for the same name and labels; references stay valid.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  // Bounds in ascending order (seconds for latencies); the first call's bounds hold.
  Histogram& histogram(const std::string& name, const std::string& help, const std::vector<double>& upper_bounds,
                       const Labels& labels = {});
  // Prometheus text exposition format, version 0.0.4.
  std::string prometheus_text() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace skiff::sdk
