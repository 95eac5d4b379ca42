// The scheduling queue on its own: order, parking, back-off, and updates while in flight.
#include <gtest/gtest.h>

#include "skiff/sdk/scheduling/scheduling_queue.hpp"

namespace {

using namespace skiff;
using namespace skiff::sdk::scheduling;
using namespace std::chrono_literals;

PodPtr pod(const std::string& name, int priority = 0, const std::string& phase = "Pending") {
  auto p = std::make_shared<api::core::v1::Pod>();
  p->mutable_metadata()->set_name(name);
  p->mutable_metadata()->set_namespace_("default");
  p->mutable_metadata()->set_creation_timestamp("2026-11-27T00:00:00Z");
  p->mutable_spec()->set_priority(priority);
  p->mutable_status()->set_phase(phase);
  return p;
}

QueueOptions fast() { return {.initial_backoff = 20ms, .max_backoff = 100ms, .unschedulable_timeout = 10s}; }

TEST(SchedulingQueue, HigherPriorityFirstThenOlder) {
  SchedulingQueue queue(fast());
  queue.add_or_update(pod("low", 1));
  queue.add_or_update(pod("high", 100));
  queue.add_or_update(pod("mid", 50));
  EXPECT_EQ(queue.pop(10ms)->key, "default/high");
  EXPECT_EQ(queue.pop(10ms)->key, "default/mid");
  EXPECT_EQ(queue.pop(10ms)->key, "default/low");
  EXPECT_FALSE(queue.pop(10ms));
}

TEST(SchedulingQueue, AParkedPodWaitsForAClusterChange) {
  SchedulingQueue queue(fast());
  queue.add_or_update(pod("p"));
  auto first = queue.pop(10ms);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->attempts, 1);
  queue.unschedulable(*first);
  // A status-only update (our own condition) does not bring it back.
  queue.add_or_update(pod("p", 0, "Pending"));
  EXPECT_FALSE(queue.pop(200ms));
  queue.cluster_changed();
  auto second = queue.pop(500ms);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->attempts, 2);
}

TEST(SchedulingQueue, ASpecChangeBringsAParkedPodBack) {
  SchedulingQueue queue(fast());
  queue.add_or_update(pod("p"));
  queue.unschedulable(*queue.pop(10ms));
  auto changed = pod("p");
  (*std::const_pointer_cast<api::core::v1::Pod>(changed)->mutable_spec()->mutable_node_selector())["disk"] = "ssd";
  queue.add_or_update(changed);
  auto again = queue.pop(500ms);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->pod->spec().node_selector().at("disk"), "ssd");
}

TEST(SchedulingQueue, AClusterChangeDuringTheAttemptMeansRetryNotPark) {
  SchedulingQueue queue(fast());
  queue.add_or_update(pod("p"));
  auto attempt = queue.pop(10ms);
  queue.cluster_changed();  // a node arrived while we were deciding
  queue.unschedulable(*attempt);
  EXPECT_TRUE(queue.pop(500ms));  // back after its back-off, without another change
}

// The scheduler conformance case HigherPriorityGoesFirst, flaky before: `low` failed first, so
// its back-off ended first and it took the one new node although `high` was woken with it.
TEST(SchedulingQueue, PodsWokenTogetherLeaveInPriorityOrder) {
  SchedulingQueue queue({.initial_backoff = 300ms, .max_backoff = 1s, .unschedulable_timeout = 10s});
  queue.add_or_update(pod("low", 1));
  queue.unschedulable(*queue.pop(10ms));  // its back-off runs from now …
  EXPECT_FALSE(queue.pop(150ms));         // (parked: nothing to hand out meanwhile)
  queue.add_or_update(pod("high", 1000));
  queue.unschedulable(*queue.pop(10ms));  // … and high's 150 ms later
  queue.cluster_changed();                // a node arrives while both cool down
  auto first = queue.pop(2s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->key, "default/high");
  queue.done(first->key);
  auto second = queue.pop(2s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->key, "default/low");
}

// The node arrives while `high` is being decided (its answer may be stale: it backs off) and
// `low` has long finished its back-off: low still waits for high.
TEST(SchedulingQueue, APodInFlightDuringTheWakeUpKeepsItsPriority) {
  SchedulingQueue queue({.initial_backoff = 100ms, .max_backoff = 1s, .unschedulable_timeout = 10s});
  queue.add_or_update(pod("low", 1));
  queue.unschedulable(*queue.pop(10ms));
  EXPECT_FALSE(queue.pop(200ms));  // low's back-off is over
  queue.add_or_update(pod("high", 1000));
  auto attempt = queue.pop(10ms);
  ASSERT_EQ(attempt->key, "default/high");
  queue.cluster_changed();
  queue.unschedulable(*attempt);
  auto first = queue.pop(2s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->key, "default/high");
  queue.done(first->key);
  auto second = queue.pop(2s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->key, "default/low");
}

// Only pods woken together wait for each other: a new pod goes at once.
TEST(SchedulingQueue, ANewPodDoesNotWaitForWokenOnes) {
  SchedulingQueue queue({.initial_backoff = 5s, .max_backoff = 10s, .unschedulable_timeout = 60s});
  queue.add_or_update(pod("high", 1000));
  queue.unschedulable(*queue.pop(10ms));
  queue.cluster_changed();  // high cools down for 5 s
  queue.add_or_update(pod("new", 1));
  auto next = queue.pop(1s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->key, "default/new");
}

TEST(SchedulingQueue, RemovedWhileInFlightIsNotRequeued) {
  SchedulingQueue queue(fast());
  queue.add_or_update(pod("p"));
  auto attempt = queue.pop(10ms);
  queue.remove("default/p");
  queue.retry(*attempt);
  EXPECT_FALSE(queue.pop(200ms));
  EXPECT_EQ(queue.pending_size(), 0u);
}

TEST(SchedulingQueue, RetriesBackOff) {
  SchedulingQueue queue(fast());
  queue.add_or_update(pod("p"));
  auto attempt = queue.pop(10ms);
  auto failed_at = std::chrono::steady_clock::now();
  queue.retry(*attempt);
  auto again = queue.pop(1s);
  ASSERT_TRUE(again);
  EXPECT_GE(std::chrono::steady_clock::now() - failed_at, 20ms);
}

}  // namespace
