// Keys and defaults: a 10 s period (fresher than metrics-server's 15 s), a node that takes
// longer than half of it to answer is skipped for that round.
#include "metrics_settings.hpp"

#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::metrics {
namespace {

using sdk::bind_key;

const sdk::ConfigMap<Settings>& config_map() {
  static const sdk::ConfigMap<Settings> map{
      bind_key("period", &Settings::period, "10s",
               "how often every node's kubelet is asked for its summary; usage is the rate between the last two")
          .range("500ms", "10m"),
      bind_key("scrape_timeout", &Settings::scrape_timeout, "5s",
               "how long one node may take to answer; one that does not has no metrics until it answers again")
          .range("100ms", "5m"),
      bind_key("scrape_workers", &Settings::scrape_workers, "8", "how many nodes are asked at once").range(1, 256),
  };
  return map;
}

}  // namespace

sdk::ConfigTable config_table() { return config_map().table(); }

Settings read_settings(const sdk::Config& config) {
  Settings settings = config_map().read(config);
  if (settings.scrape_timeout > settings.period)
    throw sdk::Error(sdk::Status::Invalid("config scrape_timeout: must not exceed period (" +
                                          std::to_string(settings.period.count()) + "ms)"));
  return settings;
}

}  // namespace skiff::metrics
