// The Summary as Prometheus text: /metrics/resource exactly as the kubelet writes it, the
// cAdvisor-style families, and sample values as Go formats them.
#include <gtest/gtest.h>

#include "resource_metrics.hpp"

namespace {

using namespace skiff::kubelet;
namespace stats = skiff::api::stats::v1alpha1;

stats::ContainerStats container(const std::string& name, std::uint64_t cpu_nanos, std::uint64_t working_set) {
  stats::ContainerStats c;
  c.set_name(name);
  c.set_start_time("2026-12-01T00:00:00Z");
  c.mutable_cpu()->set_time("2026-12-01T00:00:10Z");
  c.mutable_cpu()->set_usage_core_nano_seconds(cpu_nanos);
  c.mutable_memory()->set_time("2026-12-01T00:00:10Z");
  c.mutable_memory()->set_working_set_bytes(working_set);
  c.mutable_memory()->set_rss_bytes(working_set / 2);
  c.mutable_memory()->set_usage_bytes(working_set * 2);
  c.mutable_rootfs()->set_used_bytes(4096);
  return c;
}

// Node "n1"; pod default/web with containers "sidecar" and "app" (listed out of order) and eth0.
stats::Summary small_summary() {
  stats::Summary s;
  auto* node = s.mutable_node();
  node->set_node_name("n1");
  node->mutable_cpu()->set_time("2026-12-01T00:00:10.5Z");
  node->mutable_cpu()->set_usage_core_nano_seconds(123456'000'000'000);
  node->mutable_memory()->set_time("2026-12-01T00:00:10.5Z");
  node->mutable_memory()->set_working_set_bytes(1073741824);
  auto* pod = s.add_pods();
  pod->mutable_pod_ref()->set_name("web");
  pod->mutable_pod_ref()->set_namespace_("default");
  *pod->add_containers() = container("sidecar", 250'000'000, 1'000'000);
  *pod->add_containers() = container("app", 1'500'000'000, 52428800);
  pod->mutable_cpu()->set_time("2026-12-01T00:00:10Z");
  pod->mutable_cpu()->set_usage_core_nano_seconds(1'750'000'000);
  pod->mutable_memory()->set_time("2026-12-01T00:00:10Z");
  pod->mutable_memory()->set_working_set_bytes(53428800);
  pod->mutable_network()->set_time("2026-12-01T00:00:10Z");
  auto* eth0 = pod->mutable_network()->add_interfaces();
  eth0->set_name("eth0");
  eth0->set_rx_bytes(1310);
  eth0->set_tx_bytes(890);
  return s;
}

TEST(KubeletResourceMetrics, TheKubeletsMetricsResourceText) {
  EXPECT_EQ(render_resource_metrics(small_summary()),
            "# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds\n"
            "# TYPE container_cpu_usage_seconds_total counter\n"
            "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\",pod=\"web\"} 1.5 1796083210000\n"
            "container_cpu_usage_seconds_total{container=\"sidecar\",namespace=\"default\",pod=\"web\"} 0.25 1796083210000\n"
            "# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes\n"
            "# TYPE container_memory_working_set_bytes gauge\n"
            "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web\"} 5.24288e+07 1796083210000\n"
            "container_memory_working_set_bytes{container=\"sidecar\",namespace=\"default\",pod=\"web\"} 1e+06 1796083210000\n"
            "# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds\n"
            "# TYPE container_start_time_seconds gauge\n"
            "container_start_time_seconds{container=\"app\",namespace=\"default\",pod=\"web\"} 1.7960832e+09 1796083200000\n"
            "container_start_time_seconds{container=\"sidecar\",namespace=\"default\",pod=\"web\"} 1.7960832e+09 1796083200000\n"
            "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds\n"
            "# TYPE node_cpu_usage_seconds_total counter\n"
            "node_cpu_usage_seconds_total 123456 1796083210500\n"
            "# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes\n"
            "# TYPE node_memory_working_set_bytes gauge\n"
            "node_memory_working_set_bytes 1.073741824e+09 1796083210500\n"
            "# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds\n"
            "# TYPE pod_cpu_usage_seconds_total counter\n"
            "pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"web\"} 1.75 1796083210000\n"
            "# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes\n"
            "# TYPE pod_memory_working_set_bytes gauge\n"
            "pod_memory_working_set_bytes{namespace=\"default\",pod=\"web\"} 5.34288e+07 1796083210000\n"
            "# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n"
            "# TYPE resource_scrape_error gauge\n"
            "resource_scrape_error 0\n"
            "# HELP scrape_error [ALPHA] (Deprecated since 1.29.0) 1 if there was an error while getting container "
            "metrics, 0 otherwise\n"
            "# TYPE scrape_error gauge\n"
            "scrape_error 0\n");
}

TEST(KubeletResourceMetrics, AFailedCollectionSaysSo) {
  std::string text = render_resource_metrics(stats::Summary(), true);
  EXPECT_NE(text.find("\nresource_scrape_error 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nscrape_error 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("pod_cpu_usage_seconds_total{"), std::string::npos) << "no pods, no series";
}

TEST(KubeletResourceMetrics, CadvisorFamiliesEachWithHelpAndType) {
  std::string text = render_cadvisor_metrics(small_summary());
  for (const char* family : {"container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_memory_rss",
                             "container_memory_usage_bytes", "container_fs_usage_bytes",
                             "container_network_receive_bytes_total", "container_network_transmit_bytes_total"}) {
    EXPECT_NE(text.find(std::string("# HELP ") + family + " "), std::string::npos) << family;
    EXPECT_NE(text.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
  EXPECT_NE(text.find("container_memory_rss{container=\"app\",namespace=\"default\",pod=\"web\"} 2.62144e+07 1796083210000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("container_network_receive_bytes_total{container=\"POD\",interface=\"eth0\",namespace=\"default\","
                      "pod=\"web\"} 1310 1796083210000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("container_network_transmit_bytes_total{container=\"POD\",interface=\"eth0\",namespace=\"default\","
                      "pod=\"web\"} 890 1796083210000\n"),
            std::string::npos)
      << text;
}

TEST(KubeletResourceMetrics, ValuesAsGoFormatsThem) {
  EXPECT_EQ(go_float(0), "0");
  EXPECT_EQ(go_float(1), "1");
  EXPECT_EQ(go_float(999999), "999999");
  EXPECT_EQ(go_float(1e6), "1e+06");
  EXPECT_EQ(go_float(123456789), "1.23456789e+08");
  EXPECT_EQ(go_float(0.0001), "0.0001");
  EXPECT_EQ(go_float(0.00001), "1e-05");
  EXPECT_EQ(go_float(-2.5), "-2.5");
}

TEST(KubeletResourceMetrics, LabelValuesAreEscaped) {
  auto s = small_summary();
  s.mutable_pods(0)->mutable_pod_ref()->set_name("we\"b\\x");
  EXPECT_NE(render_resource_metrics(s).find("pod=\"we\\\"b\\\\x\""), std::string::npos);
}

}  // namespace
