// The kubelet's /metrics joins the kernel's and every plugin's Prometheus text: each family
// once under one HELP and TYPE, samples kept apart by a plugin label.
#include <gtest/gtest.h>

#include "metrics_exposition.hpp"

namespace {

using skiff::kubelet::ExpositionPart;
using skiff::kubelet::merge_expositions;

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(MetricsExposition, AFamilyInTwoPartsIsDescribedOnceWithBothPartsSamples) {
  std::string a = "# HELP skiff_bus_requests_total requests\n# TYPE skiff_bus_requests_total counter\n"
                  "skiff_bus_requests_total{subject=\"x\"} 1\n";
  std::string b = "# HELP skiff_bus_requests_total requests\n# TYPE skiff_bus_requests_total counter\n"
                  "skiff_bus_requests_total{subject=\"x\"} 2\n";
  std::string merged = merge_expositions({{a, "apiserver"}, {b, "kubelet"}});
  EXPECT_EQ(merged,
            "# HELP skiff_bus_requests_total requests\n# TYPE skiff_bus_requests_total counter\n"
            "skiff_bus_requests_total{plugin=\"apiserver\",subject=\"x\"} 1\n"
            "skiff_bus_requests_total{plugin=\"kubelet\",subject=\"x\"} 2\n");
}

TEST(MetricsExposition, AHistogramsSeriesStayInItsFamilyAcrossParts) {
  std::string a = "# TYPE latency histogram\nlatency_bucket{le=\"1\"} 1\nlatency_bucket{le=\"+Inf\"} 1\n"
                  "latency_sum 0.5\nlatency_count 1\n# TYPE up gauge\nup 1\n";
  std::string b = "# TYPE latency histogram\nlatency_bucket{le=\"1\"} 0\nlatency_bucket{le=\"+Inf\"} 2\n"
                  "latency_sum 4\nlatency_count 2\n";
  std::string merged = merge_expositions({{a, "a"}, {b, "b"}});
  EXPECT_EQ(count_of(merged, "# TYPE latency histogram"), 1);
  EXPECT_EQ(count_of(merged, "latency_count{"), 2);
  // The family's lines are contiguous: "up" comes after all of latency's.
  EXPECT_GT(merged.find("# TYPE up gauge"), merged.rfind("latency_"));
}

TEST(MetricsExposition, PluginLabelIsAddedOnlyWhereMissing) {
  std::string text = "plain 1\nempty{} 2\nlabelled{a=\"b\"} 3\nowned{plugin=\"store\"} 4\nlater{a=\"1\",plugin=\"x\"} 5\n";
  EXPECT_EQ(merge_expositions({{text, "p"}}),
            "plain{plugin=\"p\"} 1\nempty{plugin=\"p\"} 2\nlabelled{plugin=\"p\",a=\"b\"} 3\nowned{plugin=\"store\"} 4\n"
            "later{a=\"1\",plugin=\"x\"} 5\n");
  EXPECT_EQ(merge_expositions({{text, ""}}), text) << "the kernel's part is kept as it is";
}

TEST(MetricsExposition, OtherCommentsAndBlankLinesAreDropped) {
  EXPECT_EQ(merge_expositions({{"# a comment\n\n# TYPE x gauge\r\nx 1\r\n", ""}}), "# TYPE x gauge\nx 1\n");
}

}  // namespace
