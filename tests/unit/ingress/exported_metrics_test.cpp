// The plugin's metrics hooks: each request and upstream latency lands in its own labelled series,
// also once the series are found through the hooks' cache.
#include <gtest/gtest.h>

#include "exported_metrics.hpp"

namespace skiff::ingress {
namespace {

double requests(sdk::Metrics& metrics, const std::string& ingress_namespace, const std::string& ingress, const std::string& status) {
  return metrics.counter("skiff_ingress_requests_total", "", {{"namespace", ingress_namespace}, {"ingress", ingress}, {"status", status}})
      .value();
}

std::uint64_t latencies(sdk::Metrics& metrics, const BackendIdentity& backend) {
  sdk::Labels labels{{"namespace", backend.ingress_namespace}, {"ingress", backend.ingress_name}, {"service", backend.service}};
  return metrics.histogram("skiff_ingress_upstream_latency_seconds", "", {1}, labels).count();
}

TEST(IngressExportedMetrics, RequestsAreCountedPerIngressAndStatus) {
  sdk::Metrics metrics;
  ExportedMetrics exported(metrics);
  BackendIdentity shop{"default", "shop", "web", "80"}, blog{"default", "blog", "web", "80"};
  for (int i = 0; i < 3; ++i) exported.count_request(&shop, 200);
  exported.count_request(&shop, 502);
  exported.count_request(&blog, 200);
  exported.count_request(nullptr, 404);
  exported.count_request(nullptr, 404);
  EXPECT_EQ(requests(metrics, "default", "shop", "200"), 3);
  EXPECT_EQ(requests(metrics, "default", "shop", "502"), 1);
  EXPECT_EQ(requests(metrics, "default", "blog", "200"), 1);
  EXPECT_EQ(requests(metrics, "", "", "404"), 2);
}

TEST(IngressExportedMetrics, LabelValuesThatJoinAlikeStayApart) {
  sdk::Metrics metrics;
  ExportedMetrics exported(metrics);
  BackendIdentity first{"ab", "c", "web", "80"}, second{"a", "bc", "web", "80"};
  exported.count_request(&first, 200);
  exported.count_request(&second, 200);
  exported.count_request(&second, 200);
  EXPECT_EQ(requests(metrics, "ab", "c", "200"), 1);
  EXPECT_EQ(requests(metrics, "a", "bc", "200"), 2);
}

TEST(IngressExportedMetrics, UpstreamLatencyIsObservedPerService) {
  sdk::Metrics metrics;
  ExportedMetrics exported(metrics);
  BackendIdentity web{"default", "shop", "web", "80"}, api{"default", "shop", "api", "8080"};
  exported.observe_upstream_latency(web, std::chrono::microseconds(700));
  exported.observe_upstream_latency(web, std::chrono::microseconds(900));
  exported.observe_upstream_latency(api, std::chrono::milliseconds(3));
  EXPECT_EQ(latencies(metrics, web), 2);
  EXPECT_EQ(latencies(metrics, api), 1);
  EXPECT_NE(metrics.prometheus_text().find("skiff_ingress_upstream_latency_seconds_bucket{namespace=\"default\",ingress=\"shop\","
                                           "service=\"web\",le=\"0.001\"} 2"),
            std::string::npos)
      << metrics.prometheus_text();
}

}  // namespace
}  // namespace skiff::ingress
