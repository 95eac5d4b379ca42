// Every period, asks each Node's kubelet for its summary over the bus (a few nodes at once)
// and hands the answers to the usage store; nodes that are gone or did not answer lose their
// usage, so nothing stale reaches `kubectl top` or an autoscaler.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics_settings.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/subjects.hpp"
#include "usage_store.hpp"

namespace skiff::metrics {

// What the last round saw: the plugin's health and metrics report it.
struct ScrapeRound {
  std::size_t nodes = 0;
  std::size_t answered = 0;
  std::vector<std::string> failures;  // "node: why", at most a few
};

class SummaryScraper {
 public:
  SummaryScraper(sdk::Bus& bus, const sdk::Subjects& subjects, const Settings& settings, UsageStore& store,
                 sdk::Metrics& metrics, spdlog::logger& log);
  ~SummaryScraper() { stop(); }

  void start();
  void stop();
  // One round now (the loop calls it every period); tests and benchmarks call it directly.
  ScrapeRound scrape_once();
  ScrapeRound last_round() const;

 private:
  void run();
  std::vector<std::string> node_names() const;
  // Asks one node; records its summary, or forgets it and returns why it failed.
  std::string scrape_node(const std::string& node);

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  Settings settings_;
  UsageStore& store_;
  spdlog::logger& log_;
  sdk::Histogram& duration_;
  sdk::Counter& failures_;
  sdk::Gauge& nodes_answered_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  ScrapeRound last_;
  std::thread thread_;
};

}  // namespace skiff::metrics
