// Small SDK value types: durations, subjects, metrics, bus options, status headers.
#include <gtest/gtest.h>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/duration.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/node_identity.hpp"
#include "skiff/sdk/subjects.hpp"

namespace {

using namespace skiff::sdk;
using std::chrono::milliseconds;

TEST(Duration, ParsesGoStyleAndBareSeconds) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("5s"), milliseconds(5000));
  EXPECT_EQ(parse_duration("1m30s"), milliseconds(90000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(parse_duration("30"), milliseconds(30000));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("5 s"));
  EXPECT_FALSE(parse_duration("5x"));
  EXPECT_FALSE(parse_duration("s"));
}

TEST(Duration, FormatsShortestExactForm) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
  for (auto text : {"250ms", "1.5s", "1m30s", "2h5m"}) EXPECT_EQ(format_duration(*parse_duration(text)), text);
}

TEST(Subjects, FollowTheDesignScheme) {
  Subjects s("prod", "node-1");
  EXPECT_EQ(s.api("get"), "skiff.prod.api.get");
  EXPECT_EQ(s.token_review(), "skiff.prod.api.tokenreview");
  EXPECT_EQ(s.store("txn"), "skiff.prod.store.txn");
  EXPECT_EQ(s.watch("apps", "Deployment"), "skiff.prod.watch.apps.Deployment");
  EXPECT_EQ(s.watch("", "Pod"), "skiff.prod.watch.core.Pod");
  EXPECT_EQ(s.runtime("run_sandbox"), "skiff.prod.node.node-1.runtime.run_sandbox");
  EXPECT_EQ(s.kubelet_on("node-2", "logs"), "skiff.prod.node.node-2.kubelet.logs");
  EXPECT_EQ(s.kernel_status(), "skiff.prod.node.node-1.kernel.status");
}

TEST(Subjects, NamesWithDotsStayOneToken) {
  Subjects s("c", "ip-10-0-0-1.ec2.internal");
  EXPECT_EQ(s.runtime("version"), "skiff.c.node.ip-10-0-0-1%2Eec2%2Einternal.runtime.version");
  EXPECT_EQ(subject_token("a*b>c d"), "a%2Ab%3Ec%20d");
}

// A node's bus user reaches the API (and Secret/ConfigMap watches) through its own subjects.
TEST(Subjects, ScopedToANodeTheApiIsTheNodes) {
  Subjects s("c", "ip-10-0-0-1.ec2.internal");
  s.scope_api_to_node();
  EXPECT_EQ(s.api("get"), "skiff.c.node.ip-10-0-0-1%2Eec2%2Einternal.api.get");
  EXPECT_EQ(s.token_review(), "skiff.c.api.tokenreview") << "never node-scoped";
  EXPECT_EQ(s.watch("", "Pod"), "skiff.c.watch.core.Pod");
  EXPECT_EQ(s.watch("", "Secret"), "skiff.c.nodewatch.core.Secret");
  EXPECT_EQ(s.stream("x1"), "skiff.c.node.ip-10-0-0-1%2Eec2%2Einternal.stream.x1") << "its own streams stay its own";
  EXPECT_EQ(s.node_api_any("list"), "skiff.c.node.*.api.list");
  EXPECT_EQ(s.node_of_api_subject(s.api("list")), "ip-10-0-0-1.ec2.internal");
  EXPECT_EQ(s.node_of_api_subject("skiff.c.node.n1.runtime.version"), "");
  EXPECT_EQ(s.node_of_api_subject("skiff.other.node.n1.api.get"), "");
  EXPECT_EQ(node_of_bus_user("node:w-1"), "w-1");
  EXPECT_EQ(node_of_bus_user("skiffd"), std::nullopt);
  EXPECT_EQ(node_inbox_prefix("a.b"), "_INBOX.a%2Eb");
}

TEST(Subjects, LogLinesAndTheirStream) {
  Subjects s("prod.eu", "node-1");
  EXPECT_EQ(s.log_lines("default", "web.1", "0c1d-22", "app.v2"),
            "skiff.prod%2Eeu.logs.default.web%2E1.0c1d-22.app%2Ev2");
  EXPECT_EQ(s.log_lines("default", "*", "*", "*"), "skiff.prod%2Eeu.logs.default.*.*.*");
  EXPECT_EQ(s.log_stream(), "SKIFF_LOGS_prod_eu") << "a stream name holds no dots";
  EXPECT_EQ(s.logging("query"), "skiff.prod%2Eeu.logging.query");
}

TEST(Metrics, RendersPrometheusText) {
  Metrics metrics;
  metrics.counter("skiff_requests_total", "Requests served", {{"verb", "get"}}).inc(3);
  metrics.counter("skiff_requests_total", "Requests served", {{"verb", "get"}}).inc();
  metrics.gauge("skiff_queue_depth", "Items waiting").set(7);
  std::string text = metrics.prometheus_text();
  EXPECT_NE(text.find("# TYPE skiff_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff_requests_total{verb=\"get\"} 4"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff_queue_depth 7"), std::string::npos) << text;
}

TEST(Metrics, HistogramsRenderCumulativeBuckets) {
  Metrics metrics;
  auto& latency = metrics.histogram("skiff_sync_seconds", "Sync latency", {0.001, 0.01}, {{"kind", "delta"}});
  latency.observe(0.0005);
  latency.observe(0.001);  // on the bound: in it
  latency.observe(0.005);
  latency.observe(2);
  std::string text = metrics.prometheus_text();
  EXPECT_NE(text.find("# TYPE skiff_sync_seconds histogram"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff_sync_seconds_bucket{kind=\"delta\",le=\"0.001\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff_sync_seconds_bucket{kind=\"delta\",le=\"0.01\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff_sync_seconds_bucket{kind=\"delta\",le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff_sync_seconds_count{kind=\"delta\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff_sync_seconds_sum{kind=\"delta\"} 2.0065"), std::string::npos) << text;
}

TEST(BusOptions, ParsesAndRoundTrips) {
  BusOptions options = BusOptions::from_yaml("url: nats://a:4222,nats://b:4222\ntoken: s3cret\nconnect_timeout: 3s\n");
  ASSERT_EQ(options.urls.size(), 2u);
  EXPECT_EQ(options.urls[1], "nats://b:4222");
  EXPECT_EQ(options.token, "s3cret");
  EXPECT_EQ(options.connect_timeout, milliseconds(3000));
  BusOptions again = BusOptions::from_yaml(options.to_yaml());
  EXPECT_EQ(again.urls, options.urls);
  EXPECT_EQ(again.token, options.token);
  EXPECT_EQ(again.connect_timeout, options.connect_timeout);
}

TEST(BusOptions, UnknownKeyIsRefused) {
  try {
    BusOptions::from_yaml("url: nats://a:4222\ntokn: x\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status().code, 400);
    EXPECT_NE(std::string(e.what()).find("tokn"), std::string::npos);
  }
}

TEST(BusOptions, ConnectingWithoutCredentialsIsRefused) {
  BusOptions options;
  options.urls = {"nats://127.0.0.1:1"};
  try {
    connect_bus(options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("requires"), std::string::npos) << e.what();
  }
}

TEST(StatusHeaders, RoundTrip) {
  Status status = status_from_headers(status_headers(Status::Conflict("stale resourceVersion")));
  EXPECT_EQ(status.code, 409);
  EXPECT_EQ(status.reason, "Conflict");
  EXPECT_EQ(status.message, "stale resourceVersion");
  EXPECT_TRUE(status_from_headers({}).ok());
}

}  // namespace
