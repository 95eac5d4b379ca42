// The per-cycle snapshot (copies only what changed; the cache never waits for a cycle) and
// the parallel node search (the same answer as one thread).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "node_search.hpp"
#include "scheduler_cache.hpp"
#include "snapshot.hpp"
#include "worker_pool.hpp"

namespace {

using namespace skiff;
using namespace skiff::sdk::scheduling;
namespace core = api::core::v1;

NodePtr node(const std::string& name, const std::string& zone = "a") {
  auto n = std::make_shared<core::Node>();
  n->mutable_metadata()->set_name(name);
  (*n->mutable_metadata()->mutable_labels())["zone"] = zone;
  (*n->mutable_status()->mutable_allocatable())["cpu"] = "4";
  (*n->mutable_status()->mutable_allocatable())["memory"] = "8Gi";
  return n;
}

PodPtr bound_pod(const std::string& name, const std::string& node_name, const std::string& version = "1") {
  auto p = std::make_shared<core::Pod>();
  p->mutable_metadata()->set_name(name);
  p->mutable_metadata()->set_namespace_("default");
  p->mutable_metadata()->set_resource_version(version);
  p->mutable_spec()->set_node_name(node_name);
  (*p->mutable_spec()->add_containers()->mutable_resources()->mutable_requests())["cpu"] = "1";
  return p;
}

std::vector<std::string> names(const Snapshot& s) {
  std::vector<std::string> out;
  for (const auto* n : s.nodes()) out.push_back(n->name());
  return out;
}

TEST(SchedulerSnapshot, HoldsTheNodesSortedByName) {
  SchedulerCache cache;
  for (const char* n : {"c", "a", "b"}) cache.set_node(node(n));
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  EXPECT_EQ(names(snapshot), (std::vector<std::string>{"a", "b", "c"}));
  cache.remove_node("b");
  cache.set_node(node("d"));
  cache.update_snapshot(snapshot);
  EXPECT_EQ(names(snapshot), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(snapshot.find("b"), nullptr);
}

TEST(SchedulerSnapshot, CopiesOnlyTheNodesThatChanged) {
  SchedulerCache cache;
  for (const char* n : {"a", "b", "c"}) cache.set_node(node(n));
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  const NodeInfo* a = snapshot.find("a");
  const NodeInfo* b = snapshot.find("b");
  auto generation = snapshot.generation();
  cache.update_snapshot(snapshot);  // nothing changed: nothing copied
  EXPECT_EQ(snapshot.generation(), generation);
  EXPECT_EQ(snapshot.find("a"), a);

  cache.add_bound_pod(bound_pod("p", "b"));
  EXPECT_EQ(snapshot.find("b")->requested().milli_cpu, 0);  // a copy: the cache's change is not seen yet
  cache.set_node(node("a"));  // the same node again: "a" is copied too
  cache.update_snapshot(snapshot);
  EXPECT_EQ(names(snapshot), (std::vector<std::string>{"a", "b", "c"}));
  cache.add_bound_pod(bound_pod("p", "b", "2"));
  cache.update_snapshot(snapshot);
  EXPECT_GT(snapshot.generation(), generation);
  EXPECT_EQ(snapshot.find("a"), a);
  EXPECT_EQ(snapshot.find("b"), b);  // copied in place: the array stays put
  EXPECT_EQ(snapshot.find("b")->requested().milli_cpu, 1000);
  EXPECT_EQ(snapshot.nodes()[1], snapshot.find("b"));
}

TEST(SchedulerSnapshot, AssumedAndForgottenPodsReachTheNextSnapshot) {
  SchedulerCache cache;
  cache.set_node(node("a"));
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  cache.assume(std::make_shared<PodInfo>(bound_pod("p", "")), "a");
  cache.update_snapshot(snapshot);
  EXPECT_EQ(snapshot.find("a")->pods().size(), 1u);
  cache.forget("default/p");
  cache.update_snapshot(snapshot);
  EXPECT_EQ(snapshot.find("a")->pods().size(), 0u);
}

TEST(SchedulerSnapshot, CacheUpdatesGoOnWhileACycleReadsTheSnapshot) {
  SchedulerCache cache;
  for (int i = 0; i < 50; ++i) cache.set_node(node("n" + std::to_string(i)));
  Snapshot snapshot;
  cache.update_snapshot(snapshot);
  std::atomic<bool> stop{false};
  std::atomic<int> updates{0};
  std::thread informer([&] {
    for (int i = 0; !stop; ++i, ++updates) cache.add_bound_pod(bound_pod("p", "n" + std::to_string(i % 50), std::to_string(i)));
  });
  std::int64_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  // Cycles until the informer has moved the pod many times meanwhile.
  while (updates < 2000 && std::chrono::steady_clock::now() < deadline) {
    cache.update_snapshot(snapshot);
    for (const auto* n : snapshot.nodes()) seen += n->requested().milli_cpu;  // lock-free reads
  }
  stop = true;
  informer.join();
  cache.update_snapshot(snapshot);
  std::int64_t total = 0;
  for (const auto* n : snapshot.nodes()) total += n->requested().milli_cpu;
  EXPECT_GE(updates.load(), 2000);
  EXPECT_EQ(total, 1000);  // the one pod, on its last node
  EXPECT_GE(seen, 0);
}

TEST(WorkerPool, RunsEveryTaskOnce) {
  for (int parallelism : {1, 2, 4}) {
    WorkerPool pool(parallelism);
    for (int round = 0; round < 50; ++round) {
      std::vector<std::atomic<int>> hits(97);
      pool.run(hits.size(), [&](std::size_t i) { ++hits[i]; });
      for (auto& h : hits) ASSERT_EQ(h.load(), 1);
    }
  }
}

TEST(NodeSearch, ParallelFindsTheSameNodesAsOneThread) {
  std::vector<NodeInfo> infos;
  for (int i = 0; i < 1000; ++i) infos.emplace_back(node("n" + std::to_string(i)));
  std::vector<const NodeInfo*> all;
  for (const auto& n : infos) all.push_back(&n);
  // Roughly one node in three fits, unevenly.
  FitCheck fits = [](const NodeInfo& n, std::vector<std::string>& reasons) {
    bool ok = std::hash<std::string>{}(n.name()) % 3 == 0;
    if (!ok) reasons.push_back("no");
    return ok;
  };
  WorkerPool pool(3);
  for (std::size_t start : {0u, 17u, 999u})
    for (std::size_t wanted : {1u, 100u, 300u, 1000u}) {
      auto one = find_feasible(all, start, wanted, fits, nullptr);
      auto many = find_feasible(all, start, wanted, fits, &pool);
      EXPECT_EQ(many.nodes, one.nodes) << "start " << start << " wanted " << wanted;
      EXPECT_EQ(many.visited, one.visited) << "start " << start << " wanted " << wanted;
    }
}

// One chunk far slower than the others (its thread descheduled): whatever the interleaving,
// the answer is the sequential walk's. (A chunk skipped out of order once made it find no node.)
TEST(NodeSearch, ASlowFirstChunkStillGivesTheSequentialAnswer) {
  std::vector<NodeInfo> infos;
  for (int i = 0; i < 1024; ++i) infos.emplace_back(node("n" + std::to_string(i)));
  std::vector<const NodeInfo*> all;
  for (const auto& n : infos) all.push_back(&n);
  std::atomic<bool> first_chunk_slow{true};
  FitCheck fits = [&](const NodeInfo& n, std::vector<std::string>&) {
    // The first node checked in the walk stalls until the other thread has filtered the rest.
    if (&n == all[0] && first_chunk_slow.exchange(false)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return true;
  };
  WorkerPool pool(2);
  for (int round = 0; round < 5; ++round) {
    first_chunk_slow = true;
    auto many = find_feasible(all, 0, 200, fits, &pool);
    ASSERT_EQ(many.nodes.size(), 200u);
    EXPECT_EQ(many.nodes.front(), all[0]);
    EXPECT_EQ(many.visited, 200u);
  }
}

TEST(NodeSearch, ParallelScoresEqualSequentialScores) {
  std::vector<NodeInfo> infos;
  for (int i = 0; i < 700; ++i) {
    infos.emplace_back(node("n" + std::to_string(i)));
    for (int p = 0; p < i % 5; ++p) infos.back().add_pod(std::make_shared<PodInfo>(bound_pod("p" + std::to_string(p), "")));
  }
  std::vector<const NodeInfo*> feasible;
  for (const auto& n : infos) feasible.push_back(&n);
  std::vector<std::pair<std::unique_ptr<Scorer>, int>> scorers;
  for (const auto& [name, weight] : default_scorers()) scorers.emplace_back(make_scorer(name), weight);
  PodInfo pod(bound_pod("new", ""));
  WorkerPool pool(4);
  EXPECT_EQ(total_scores(pod, feasible, scorers, &pool), total_scores(pod, feasible, scorers, nullptr));
}

}  // namespace
