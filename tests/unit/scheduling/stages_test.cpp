// Filters, scorers and the Pending message on their own, against hand-made nodes.
#include <gtest/gtest.h>

#include <algorithm>

#include "skiff/sdk/scheduling/framework.hpp"

namespace {

using namespace skiff;
using namespace skiff::sdk::scheduling;

NodePtr node(const std::string& name, const std::string& cpu, const std::string& memory) {
  auto n = std::make_shared<api::core::v1::Node>();
  n->mutable_metadata()->set_name(name);
  (*n->mutable_status()->mutable_allocatable())["cpu"] = cpu;
  (*n->mutable_status()->mutable_allocatable())["memory"] = memory;
  return n;
}

PodInfoPtr pod(const std::string& name, const std::string& cpu, const std::string& memory) {
  auto p = std::make_shared<api::core::v1::Pod>();
  p->mutable_metadata()->set_name(name);
  p->mutable_metadata()->set_namespace_("default");
  auto* c = p->mutable_spec()->add_containers();
  c->set_name("c");
  if (!cpu.empty()) (*c->mutable_resources()->mutable_requests())["cpu"] = cpu;
  if (!memory.empty()) (*c->mutable_resources()->mutable_requests())["memory"] = memory;
  return std::make_shared<PodInfo>(p);
}

std::vector<std::string> reasons(Filter& filter, const PodInfo& p, const NodeInfo& n) {
  std::vector<std::string> out;
  filter.filter(p, n, out);
  return out;
}

TEST(SchedulingStages, RequestsSumContainersAndTakeTheLargestInitContainer) {
  auto p = std::make_shared<api::core::v1::Pod>();
  for (const char* cpu : {"250m", "500m"}) {
    auto* c = p->mutable_spec()->add_containers();
    (*c->mutable_resources()->mutable_requests())["cpu"] = cpu;
  }
  (*p->mutable_spec()->add_init_containers()->mutable_resources()->mutable_requests())["cpu"] = "1";
  EXPECT_EQ(pod_requests(*p).milli_cpu, 1000);
  EXPECT_EQ(pod_requests_for_scoring(*p).memory, 2 * 200LL * 1024 * 1024);  // defaults per container
}

TEST(SchedulingStages, ResourcesFitCountsWhatIsAlreadyThere) {
  auto fit = make_filter("NodeResourcesFit");
  NodeInfo n(node("n", "2", "4Gi"));
  EXPECT_TRUE(reasons(*fit, *pod("a", "1500m", "1Gi"), n).empty());
  n.add_pod(pod("a", "1500m", "1Gi"));
  EXPECT_EQ(reasons(*fit, *pod("b", "1", "4Gi"), n), (std::vector<std::string>{"Insufficient cpu", "Insufficient memory"}));
  EXPECT_TRUE(reasons(*fit, *pod("c", "", ""), n).empty());  // asks for nothing: fits
  n.remove_pod("default/a");
  EXPECT_TRUE(reasons(*fit, *pod("b", "1", "1Gi"), n).empty());
}

TEST(SchedulingStages, LeastAndMostAllocatedDisagree) {
  NodeInfo empty(node("empty", "4", "8Gi")), busy(node("busy", "4", "8Gi"));
  busy.add_pod(pod("x", "2", "4Gi"));
  auto least = make_scorer("LeastAllocated");
  auto most = make_scorer("MostAllocated");
  auto p = pod("p", "1", "1Gi");
  EXPECT_GT(least->score(*p, empty), least->score(*p, busy));
  EXPECT_GT(most->score(*p, busy), most->score(*p, empty));
}

PodInfoPtr owned_pod(const std::string& name, const std::string& owner_uid, bool terminating = false) {
  auto p = std::make_shared<api::core::v1::Pod>(*pod(name, "500m", "512Mi")->pod);
  auto* ref = p->mutable_metadata()->add_owner_references();
  ref->set_kind("ReplicaSet");
  ref->set_name("rs-" + owner_uid);
  ref->set_uid(owner_uid);
  ref->set_controller(true);
  if (terminating) p->mutable_metadata()->set_deletion_timestamp("2026-11-27T00:00:00Z");
  return std::make_shared<PodInfo>(p);
}

// Scores as the scheduler computes them: score each node, then normalize.
std::vector<std::int64_t> scores(Scorer& scorer, const PodInfo& p, const std::vector<const NodeInfo*>& nodes) {
  scorer.prepare(p, nodes);
  std::vector<std::int64_t> out;
  for (const NodeInfo* n : nodes) out.push_back(scorer.score(p, *n));
  scorer.normalize(out);
  return out;
}

TEST(SchedulingStages, OwnerColocationPrefersNodesRunningMoreSiblings) {
  NodeInfo two(node("two", "4", "8Gi")), one(node("one", "4", "8Gi")), others(node("others", "4", "8Gi")),
      empty(node("empty", "4", "8Gi"));
  two.add_pod(owned_pod("web-1", "web"));
  two.add_pod(owned_pod("web-2", "web"));
  one.add_pod(owned_pod("web-3", "web"));
  one.add_pod(owned_pod("web-4", "web", /*terminating=*/true));  // leaving: does not count
  others.add_pod(owned_pod("db-1", "db"));
  others.add_pod(owned_pod("db-2", "db"));
  others.add_pod(owned_pod("db-3", "db"));
  auto colocation = make_scorer("OwnerColocation");
  ASSERT_NE(colocation, nullptr);
  EXPECT_EQ(scores(*colocation, *owned_pod("web-5", "web"), {&two, &one, &others, &empty}),
            (std::vector<std::int64_t>{100, 50, 0, 0}));
  // No siblings anywhere, or no owner: every node alike, so the other scorers decide.
  EXPECT_EQ(scores(*colocation, *owned_pod("cache-1", "cache"), {&two, &others, &empty}), (std::vector<std::int64_t>{0, 0, 0}));
  EXPECT_EQ(scores(*colocation, *pod("bare", "1", "1Gi"), {&two, &others, &empty}), (std::vector<std::int64_t>{0, 0, 0}));
  auto names = scorer_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "OwnerColocation"), names.end());
}

TEST(SchedulingStages, UnknownNamesAreNull) {
  EXPECT_EQ(make_filter("NoSuchFilter"), nullptr);
  EXPECT_EQ(make_scorer("NoSuchScorer"), nullptr);
}

TEST(SchedulingStages, PendingMessageCountsReasonsMostCommonFirst) {
  EXPECT_EQ(unschedulable_message(5, {{"node(s) had untolerated taint {dedicated: gpu}"},
                                      {"Insufficient cpu"},
                                      {"Insufficient cpu"},
                                      {"node(s) had untolerated taint {dedicated: gpu}"},
                                      {"Insufficient cpu"}}),
            "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}.");
  EXPECT_EQ(unschedulable_message(1, {{"Insufficient cpu", "Insufficient memory"}}),
            "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.");
}

}  // namespace
