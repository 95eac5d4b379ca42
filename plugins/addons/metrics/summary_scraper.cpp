// The collection loop. Summaries are asked with only_cpu_and_memory (what metrics.k8s.io
// serves), so a kubelet skips its filesystem and network walks for us.
#include "summary_scraper.hpp"

#include <algorithm>
#include <set>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/bus_proto.hpp"

namespace skiff::metrics {
namespace {

namespace stats = api::stats::v1alpha1;
constexpr std::size_t kFailuresKept = 5;

}  // namespace

SummaryScraper::SummaryScraper(sdk::Bus& bus, const sdk::Subjects& subjects, const Settings& settings, UsageStore& store,
                               sdk::Metrics& metrics, spdlog::logger& log)
    : bus_(bus),
      subjects_(subjects),
      settings_(settings),
      store_(store),
      log_(log),
      duration_(metrics.histogram("skiff_metrics_scrape_duration_seconds",
                                  "time to collect every node's summary in one round",
                                  {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      failures_(metrics.counter("skiff_metrics_scrape_failures_total", "node summaries that could not be collected")),
      nodes_answered_(metrics.gauge("skiff_metrics_nodes", "nodes whose summary the last round collected")) {}

void SummaryScraper::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void SummaryScraper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SummaryScraper::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      scrape_once();
    } catch (const std::exception& e) {
      log_.warn("collecting node summaries: {}", e.what());
    }
    lock.lock();
    wake_.wait_for(lock, settings_.period, [this] { return stopping_; });
  }
}

std::vector<std::string> SummaryScraper::node_names() const {
  sdk::ApiClient api(bus_, subjects_, settings_.scrape_timeout);
  std::vector<std::string> names;
  for (const auto& node : api.list<api::core::v1::Node>()) names.push_back(node.metadata().name());
  return names;
}

std::string SummaryScraper::scrape_node(const std::string& node) {
  stats::SummaryRequest ask;
  ask.set_only_cpu_and_memory(true);
  sdk::Reply reply = bus_.request(subjects_.kubelet_on(node, "stats_summary"), ask.SerializeAsString(), settings_.scrape_timeout);
  stats::Summary summary;
  if (reply.ok() && summary.ParseFromString(reply.data)) {
    store_.record(node, summary);
    return "";
  }
  store_.forget(node);
  return reply.ok() ? "a summary that does not parse" : reply.status.message;
}

ScrapeRound SummaryScraper::scrape_once() {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> nodes = node_names();
  std::set<std::string> present(nodes.begin(), nodes.end());
  for (const auto& known : store_.known_nodes())
    if (!present.contains(known)) store_.forget(known);

  ScrapeRound round;
  round.nodes = nodes.size();
  std::mutex round_mutex;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < nodes.size(); i = next++) {
      std::string failure = scrape_node(nodes[i]);
      std::lock_guard lock(round_mutex);
      if (failure.empty()) {
        ++round.answered;
      } else {
        failures_.inc();
        if (round.failures.size() < kFailuresKept) round.failures.push_back(nodes[i] + ": " + failure);
      }
    }
  };
  std::vector<std::thread> workers;
  std::size_t count = std::min<std::size_t>(nodes.size(), static_cast<std::size_t>(settings_.scrape_workers));
  for (std::size_t i = 1; i < count; ++i) workers.emplace_back(work);
  work();
  for (auto& worker : workers) worker.join();

  duration_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  nodes_answered_.set(static_cast<double>(round.answered));
  std::lock_guard lock(mutex_);
  return last_ = round;
}

ScrapeRound SummaryScraper::last_round() const {
  std::lock_guard lock(mutex_);
  return last_;
}

}  // namespace skiff::metrics
