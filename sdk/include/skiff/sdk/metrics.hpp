// Counters and gauges a plugin exposes; rendered as Prometheus text on the bus.
#pragma once

#include <atomic>
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

class Metrics {
 public:
  // Returns the same object for the same name and labels; references stay valid.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  // Prometheus text exposition format, version 0.0.4.
  std::string prometheus_text() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

}  // namespace skiff::sdk
