// The order in which a ReplicaSet gives up pods, rule by rule as Kubernetes' ActivePodsWithRanks.
#include <gtest/gtest.h>

#include "pod_builder.hpp"
#include "pod_ranking.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using controllers::delete_before;
using controllers::RankedPod;
using test::ago;
using test::PodBuilder;

const auto kNow = sdk::parse_rfc3339("2026-06-01T12:00:00Z").value();

// a goes before b, and not the other way round.
void expect_first(const api::core::v1::Pod& a, const api::core::v1::Pod& b, int rank_a = 0, int rank_b = 0) {
  EXPECT_TRUE(delete_before({&a, rank_a}, {&b, rank_b}, kNow)) << a.metadata().name() << " should go first";
  EXPECT_FALSE(delete_before({&b, rank_b}, {&a, rank_a}, kNow)) << b.metadata().name() << " should not go first";
}

PodBuilder running(const std::string& name) { return PodBuilder(name).node("n1").phase("Running"); }

TEST(PodRanking, UnassignedBeforeAssigned) {
  expect_first(PodBuilder("unassigned").phase("Running").build(), running("assigned").build());
}

TEST(PodRanking, PendingBeforeUnknownBeforeRunning) {
  expect_first(running("pending").phase("Pending").build(), running("unknown").phase("Unknown").build());
  expect_first(running("unknown").phase("Unknown").build(), running("running").build());
}

TEST(PodRanking, AnEmptyPhaseRanksAsPending) {
  // Kubernetes' podPhaseToOrdinal has no entry for "": it reads 0, the same as Pending.
  expect_first(running("no-phase").phase("").build(), running("unknown").phase("Unknown").build());
  auto pending = running("pending").phase("Pending").created(ago(kNow, 10s)).build();
  auto empty = running("empty").phase("").created(ago(kNow, 10s)).build();
  EXPECT_FALSE(delete_before({&pending, 0}, {&empty, 0}, kNow));
  EXPECT_FALSE(delete_before({&empty, 0}, {&pending, 0}, kNow));
}

TEST(PodRanking, NotReadyBeforeReady) {
  expect_first(running("not-ready").not_ready().build(), running("ready").ready_since(ago(kNow, 1h)).build());
}

TEST(PodRanking, LowerDeletionCostFirst) {
  const char* cost = "controller.kubernetes.io/pod-deletion-cost";
  expect_first(running("cheap").annotation(cost, "-5").build(), running("default").build());
  expect_first(running("default").build(), running("dear").annotation(cost, "+10").build());
  // A cost that is not an int32 counts as 0.
  expect_first(running("cheap").annotation(cost, "-1").build(), running("junk").annotation(cost, "ten").build());
  expect_first(running("cheap").annotation(cost, "-1").build(),
               running("huge").annotation(cost, "99999999999").build());
}

TEST(PodRanking, DoubledUpNodeFirst) {
  auto a = running("a").build(), b = running("b").build();
  expect_first(a, b, 3, 1);
}

TEST(PodRanking, ReadyForLessTimeFirstOnALogarithmicScale) {
  expect_first(running("fresh").ready_since(ago(kNow, 10s)).build(), running("old").ready_since(ago(kNow, 2h)).build());
  // Ready times in the same power of two of age tie; the UID decides.
  expect_first(running("a").ready_since(ago(kNow, 3000s)).created(ago(kNow, 1h)).build(),
               running("b").ready_since(ago(kNow, 3100s)).created(ago(kNow, 2h)).build());
}

TEST(PodRanking, MoreRestartsOfOneContainerFirst) {
  // The most restarted container counts, not the sum: 3 beats 2+2.
  expect_first(running("flappy").restarts({3, 0}).build(), running("steady").restarts({2, 2}).build());
}

TEST(PodRanking, NewerFirstAndMissingCreationTimeFirst) {
  expect_first(running("new").created(ago(kNow, 30s)).build(), running("old").created(ago(kNow, 48h)).build());
  expect_first(running("unknown-age").build(), running("new").created(ago(kNow, 30s)).build());
}

TEST(PodRanking, EarlierRulesWinOverLaterOnes) {
  // Not ready but old and never restarted still goes before ready, new and crashing.
  expect_first(running("not-ready").not_ready().created(ago(kNow, 48h)).build(),
               running("ready").ready_since(ago(kNow, 5s)).created(ago(kNow, 10s)).restarts({9}).build());
}

TEST(PodRanking, PodsToDeleteTakesTheFirstOnesAndRanksByTheFamilysPodsPerNode) {
  auto lonely = PodBuilder("lonely").node("n1").phase("Running").ready_since(ago(kNow, 1h)).created(ago(kNow, 1h)).ptr();
  auto crowded = PodBuilder("crowded").node("n2").phase("Running").ready_since(ago(kNow, 1h)).created(ago(kNow, 1h)).ptr();
  auto pending = PodBuilder("pending").phase("Pending").ptr();
  // Two of the family's pods (a sibling ReplicaSet's) also run on n2.
  auto sibling = PodBuilder("sibling").node("n2").phase("Running").ptr();
  auto done = PodBuilder("done").node("n1").phase("Succeeded").ptr();
  std::vector<std::shared_ptr<const api::core::v1::Pod>> own = {lonely, crowded, pending};
  std::vector<std::shared_ptr<const api::core::v1::Pod>> family = {lonely, crowded, pending, sibling, done, done};
  auto chosen = controllers::pods_to_delete(own, family, 2, kNow);
  ASSERT_EQ(chosen.size(), 2u);
  EXPECT_EQ(chosen[0]->metadata().name(), "pending");
  EXPECT_EQ(chosen[1]->metadata().name(), "crowded");
  EXPECT_EQ(controllers::pods_to_delete(own, family, 5, kNow).size(), 3u);
  EXPECT_TRUE(controllers::pods_to_delete(own, family, 0, kNow).empty());
}

}  // namespace
