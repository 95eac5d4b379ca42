// What the provider answers: quantities and windows as metrics-server writes them.
#include <gtest/gtest.h>

#include "metrics_service.hpp"
#include "metrics_settings.hpp"
#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

// As the kernel hands the block over: validated against the table, defaults filled in.
metrics::Settings read(const std::string& yaml) {
  YAML::Node block = sdk::validate_config(metrics::config_table(), YAML::Load(yaml), "metrics");
  return metrics::read_settings(sdk::Config(YAML::Dump(block)));
}

TEST(MetricsQuantities, CpuInNanocoresMemoryInKibibytesWhenWhole) {
  EXPECT_EQ(metrics::cpu_quantity(1'250'000), "1250000n");
  EXPECT_EQ(metrics::memory_quantity(50u << 20), "51200Ki");
  EXPECT_EQ(metrics::memory_quantity(1000), "1000");
}

TEST(MetricsQuantities, WindowsAreGoDurations) {
  EXPECT_EQ(metrics::window_text(10s), "10s");
  EXPECT_EQ(metrics::window_text(9987ms), "9.987s");
  EXPECT_EQ(metrics::window_text(10500ms), "10.5s");
}

TEST(MetricsObjects, APodsMetricsCarryItsContainers) {
  metrics::PodUsage usage{"default", "web", {*sdk::parse_rfc3339("2026-12-01T10:00:10Z"), 10s, 3, 4},
                          {{"app", 1'000'000, 2048}, {"sidecar", 2'000'000, 2048}}};
  auto pod = metrics::pod_metrics(usage);
  EXPECT_EQ(pod.metadata().namespace_(), "default");
  EXPECT_EQ(pod.timestamp(), "2026-12-01T10:00:10Z");
  EXPECT_EQ(pod.window(), "10s");
  ASSERT_EQ(pod.containers_size(), 2);
  EXPECT_EQ(pod.containers(1).usage().at("cpu"), "2000000n");
  EXPECT_EQ(pod.containers(1).usage().at("memory"), "2Ki");
}

TEST(MetricsSettings, DefaultsAndRefusals) {
  auto settings = read("{}");
  EXPECT_EQ(settings.period, 10s);
  EXPECT_EQ(settings.scrape_timeout, 5s);
  EXPECT_THROW(read("{period: 2s, scrape_timeout: 3s}"), sdk::Error);
  EXPECT_THROW(read("{period: 1ms}"), std::exception);
}

}  // namespace
