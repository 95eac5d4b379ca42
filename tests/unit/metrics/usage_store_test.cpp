// The metrics addon's arithmetic: CPU rates between two summaries, pods reported only when
// whole, restarts and vanished pods and nodes.
#include <gtest/gtest.h>

#include "usage_store.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace stats = api::stats::v1alpha1;

const char* kT0 = "2026-12-01T10:00:00Z";
const char* kT10 = "2026-12-01T10:00:10Z";
const char* kT20 = "2026-12-01T10:00:20Z";

void set_cpu(stats::CPUStats* cpu, const char* time, std::uint64_t core_nanos) {
  cpu->set_time(time);
  cpu->set_usage_core_nano_seconds(core_nanos);
}

stats::Summary summary(const char* time, std::uint64_t node_nanos) {
  stats::Summary s;
  s.mutable_node()->set_node_name("node-a");
  set_cpu(s.mutable_node()->mutable_cpu(), time, node_nanos);
  s.mutable_node()->mutable_memory()->set_working_set_bytes(3ull << 30);
  return s;
}

stats::PodStats* add_pod(stats::Summary& s, const std::string& name) {
  auto* pod = s.add_pods();
  pod->mutable_pod_ref()->set_name(name);
  pod->mutable_pod_ref()->set_namespace_("default");
  pod->mutable_pod_ref()->set_uid("uid-" + name);
  return pod;
}

void add_container(stats::PodStats* pod, const std::string& name, const char* time, std::uint64_t nanos,
                   std::uint64_t memory, const char* started = "2026-12-01T09:00:00Z") {
  auto* c = pod->add_containers();
  c->set_name(name);
  c->set_start_time(started);
  set_cpu(c->mutable_cpu(), time, nanos);
  c->mutable_memory()->set_working_set_bytes(memory);
}

TEST(NanoCoresBetween, IsTheCountersRateAndUnknownWhenItWentBackOrNoTimePassed) {
  auto t0 = *sdk::parse_rfc3339(kT0), t10 = *sdk::parse_rfc3339(kT10);
  EXPECT_EQ(metrics::nano_cores_between({t0, 0}, {t10, 10'000'000'000}), 1'000'000'000u);
  EXPECT_EQ(metrics::nano_cores_between({t0, 5'000'000'000}, {t10, 7'500'000'000}), 250'000'000u);
  EXPECT_FALSE(metrics::nano_cores_between({t0, 5}, {t10, 4}));
  EXPECT_FALSE(metrics::nano_cores_between({t10, 0}, {t10, 10}));
}

TEST(UsageStore, TheFirstSummaryGivesNothingTheSecondGivesRatesOverTheWindow) {
  metrics::UsageStore store;
  auto first = summary(kT0, 100'000'000'000);
  add_container(add_pod(first, "burner"), "main", kT0, 1'000'000'000, 1 << 20);
  store.record("node-a", first);
  EXPECT_TRUE(store.nodes().empty());
  EXPECT_TRUE(store.pods().empty());

  auto second = summary(kT10, 115'000'000'000);  // 1.5 cores over 10 s
  add_container(add_pod(second, "burner"), "main", kT10, 11'000'000'000, 50 << 20);
  store.record("node-a", second);
  ASSERT_EQ(store.nodes().size(), 1u);
  EXPECT_EQ(store.nodes()[0].usage.nano_cores, 1'500'000'000u);
  EXPECT_EQ(store.nodes()[0].usage.window, 10s);
  EXPECT_EQ(store.nodes()[0].usage.memory_bytes, 3ull << 30);
  ASSERT_EQ(store.pods().size(), 1u);
  auto pods = store.pods();
  const auto& pod = pods[0];
  EXPECT_EQ(pod.name, "burner");
  EXPECT_EQ(pod.usage.nano_cores, 1'000'000'000u);
  EXPECT_EQ(pod.usage.memory_bytes, 50u << 20);  // the newest working set, not an average
  ASSERT_EQ(pod.containers.size(), 1u);
  EXPECT_EQ(pod.containers[0].name, "main");
}

TEST(UsageStore, APodIsReportedOnlyWhenEveryContainerHasTwoReadings) {
  metrics::UsageStore store;
  auto first = summary(kT0, 0);
  add_container(add_pod(first, "web"), "app", kT0, 0, 1);
  store.record("node-a", first);
  auto second = summary(kT10, 0);
  auto* web = add_pod(second, "web");
  add_container(web, "app", kT10, 1'000'000'000, 1);
  add_container(web, "sidecar", kT10, 1'000'000'000, 1);  // new: only one reading
  store.record("node-a", second);
  EXPECT_TRUE(store.pods().empty());

  auto third = summary(kT20, 0);
  web = add_pod(third, "web");
  add_container(web, "app", kT20, 2'000'000'000, 1);
  add_container(web, "sidecar", kT20, 3'000'000'000, 1);
  store.record("node-a", third);
  ASSERT_EQ(store.pods().size(), 1u);
  EXPECT_EQ(store.pods()[0].usage.nano_cores, 300'000'000u);  // 0.1 + 0.2 cores
}

TEST(UsageStore, ARestartedContainerStartsItsRateAfresh) {
  metrics::UsageStore store;
  auto first = summary(kT0, 0);
  add_container(add_pod(first, "web"), "app", kT0, 9'000'000'000, 1);
  store.record("node-a", first);
  auto second = summary(kT10, 0);
  add_container(add_pod(second, "web"), "app", kT10, 9'500'000'000, 1, "2026-12-01T10:00:05Z");
  store.record("node-a", second);
  EXPECT_TRUE(store.pods().empty());  // a different start time: not comparable
}

TEST(UsageStore, PodsAndNodesThatAreGoneDisappear) {
  metrics::UsageStore store;
  for (const char* time : {kT0, kT10}) {
    auto s = summary(time, 0);
    add_container(add_pod(s, "leaving"), "app", time, 0, 1);
    store.record("node-a", s);
  }
  ASSERT_EQ(store.pods().size(), 1u);
  store.record("node-a", summary(kT20, 0));
  EXPECT_TRUE(store.pods().empty());
  EXPECT_EQ(store.nodes().size(), 1u);
  store.forget("node-a");
  EXPECT_TRUE(store.nodes().empty());
  EXPECT_TRUE(store.known_nodes().empty());
}

}  // namespace
