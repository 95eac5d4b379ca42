// The server's counts as the node's Prometheus text carries them: names, labels, values.
#include <gtest/gtest.h>

#include <sstream>

#include "exported_metrics.hpp"

namespace skiff::dns {
namespace {

using namespace std::chrono_literals;

// The sample lines of the text (no # HELP / # TYPE), each "name{labels} value".
std::vector<std::string> samples(const sdk::Metrics& metrics) {
  std::vector<std::string> out;
  std::istringstream text(metrics.prometheus_text());
  for (std::string line; std::getline(text, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

bool has_sample(const sdk::Metrics& metrics, const std::string& line) {
  auto all = samples(metrics);
  return std::find(all.begin(), all.end(), line) != all.end();
}

std::string text_of(const sdk::Metrics& metrics) { return metrics.prometheus_text(); }

TEST(DnsExportedMetrics, EverySeriesExistsAtZeroBeforeTheFirstQuery) {
  sdk::Metrics metrics;
  ExportedMetrics exported(metrics);
  for (const char* line : {"skiff_dns_requests_total{type=\"A\"} 0", "skiff_dns_requests_total{type=\"other\"} 0",
                           "skiff_dns_responses_total{rcode=\"NXDOMAIN\"} 0", "skiff_dns_requests_by_proto_total{proto=\"udp\"} 0",
                           "skiff_dns_requests_by_proto_total{proto=\"tcp\"} 0", "skiff_dns_truncated_total 0",
                           "skiff_dns_dropped_total 0", "skiff_dns_cache_hits_total 0", "skiff_dns_cache_misses_total 0",
                           "skiff_dns_short_circuits_total 0", "skiff_dns_forward_failures_total 0",
                           "skiff_dns_forward_duration_seconds_count 0"})
    EXPECT_TRUE(has_sample(metrics, line)) << line << " missing from\n" << text_of(metrics);
}

TEST(DnsExportedMetrics, AnswersAreCountedByTypeRcodeAndTransport) {
  sdk::Metrics metrics;
  ExportedMetrics exported(metrics);
  exported.answered(1, 0, Transport::Udp, false);      // A, NOERROR
  exported.answered(1, 3, Transport::Udp, false);      // A, NXDOMAIN
  exported.answered(33, 0, Transport::Tcp, false);     // SRV over TCP
  exported.answered(28, 0, Transport::Udp, true);      // AAAA, truncated
  exported.answered(99, 2, Transport::Udp, false);     // SPF: not one of ours, SERVFAIL
  exported.answered(1, 9, Transport::Udp, false);      // NOTAUTH: not one of ours
  for (const char* line :
       {"skiff_dns_requests_total{type=\"A\"} 3", "skiff_dns_requests_total{type=\"SRV\"} 1",
        "skiff_dns_requests_total{type=\"AAAA\"} 1", "skiff_dns_requests_total{type=\"other\"} 1",
        "skiff_dns_requests_total{type=\"PTR\"} 0", "skiff_dns_responses_total{rcode=\"NOERROR\"} 3",
        "skiff_dns_responses_total{rcode=\"NXDOMAIN\"} 1", "skiff_dns_responses_total{rcode=\"SERVFAIL\"} 1",
        "skiff_dns_responses_total{rcode=\"other\"} 1", "skiff_dns_requests_by_proto_total{proto=\"udp\"} 5",
        "skiff_dns_requests_by_proto_total{proto=\"tcp\"} 1", "skiff_dns_truncated_total 1"})
    EXPECT_TRUE(has_sample(metrics, line)) << line << " missing from\n" << text_of(metrics);
}

TEST(DnsExportedMetrics, DropsCacheShortCircuitsAndForwardsAreCounted) {
  sdk::Metrics metrics;
  ExportedMetrics exported(metrics);
  exported.dropped();
  exported.dropped();
  exported.cache_lookup(true);
  exported.cache_lookup(false);
  exported.cache_lookup(false);
  exported.short_circuited();
  exported.forwarded(3ms, true);
  exported.forwarded(2s, false);
  for (const char* line :
       {"skiff_dns_dropped_total 2", "skiff_dns_cache_hits_total 1", "skiff_dns_cache_misses_total 2",
        "skiff_dns_short_circuits_total 1", "skiff_dns_forward_failures_total 1",
        "skiff_dns_forward_duration_seconds_bucket{le=\"0.0025\"} 0",
        "skiff_dns_forward_duration_seconds_bucket{le=\"0.005\"} 1", "skiff_dns_forward_duration_seconds_bucket{le=\"2\"} 2",
        "skiff_dns_forward_duration_seconds_bucket{le=\"+Inf\"} 2", "skiff_dns_forward_duration_seconds_count 2"})
    EXPECT_TRUE(has_sample(metrics, line)) << line << " missing from\n" << text_of(metrics);
}

}  // namespace
}  // namespace skiff::dns
