// The scheduler conformance suite (see the header). Nodes are API objects only: the suite
// checks where pods are bound, what Pending pods say, and that nothing is over-committed.
#include "skiff/testing/scheduler_conformance.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace skiff::conformance {

// The kit links every suite into a plugin's test; it instantiates the ones of its kind.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SchedulerConformance);
namespace {

namespace core = api::core::v1;
using namespace std::chrono_literals;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 15s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

struct NodeShape {
  std::string cpu = "4";
  std::string memory = "8Gi";
  std::string pods = "110";
  std::map<std::string, std::string> labels;
  std::vector<std::tuple<std::string, std::string, std::string>> taints;  // key, value, effect
  bool unschedulable = false;
};

// The API as the suite uses it.
class Cluster {
 public:
  explicit Cluster(SchedulerHarness& harness) : api_(harness.bus(), harness.subjects()), scheduler_(harness.scheduler_name()) {}

  void add_node(const std::string& name, const NodeShape& shape = {}) {
    core::Node node;
    node.mutable_metadata()->set_name(name);
    (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
    for (const auto& [k, v] : shape.labels) (*node.mutable_metadata()->mutable_labels())[k] = v;
    node.mutable_spec()->set_unschedulable(shape.unschedulable);
    for (const auto& [key, value, effect] : shape.taints) {
      auto* taint = node.mutable_spec()->add_taints();
      taint->set_key(key);
      taint->set_value(value);
      taint->set_effect(effect);
    }
    for (auto* resources : {node.mutable_status()->mutable_capacity(), node.mutable_status()->mutable_allocatable()}) {
      (*resources)["cpu"] = shape.cpu;
      (*resources)["memory"] = shape.memory;
      (*resources)["pods"] = shape.pods;
    }
    api_.create(node);
  }

  // A pod for the scheduler under test, asking for cpu and memory.
  core::Pod pod(const std::string& name, const std::string& cpu = "100m", const std::string& memory = "64Mi") const {
    core::Pod pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_("default");
    pod.mutable_spec()->set_scheduler_name(scheduler_);
    auto* c = pod.mutable_spec()->add_containers();
    c->set_name("main");
    c->set_image("busybox");
    (*c->mutable_resources()->mutable_requests())["cpu"] = cpu;
    (*c->mutable_resources()->mutable_requests())["memory"] = memory;
    return pod;
  }

  void create(const core::Pod& pod) { api_.create(pod); }

  std::string node_of(const std::string& name) const {
    try {
      return api_.get<core::Pod>("default", name).spec().node_name();
    } catch (const sdk::Error&) {
      return "";
    }
  }

  // Waits for the pod to be bound; returns its node ("" if it never was).
  std::string bound(const std::string& name, std::chrono::milliseconds timeout = 15s) const {
    std::string node;
    eventually([&] { return !(node = node_of(name)).empty(); }, timeout);
    return node;
  }

  // Waits for PodScheduled=False; returns its message ("" if it never came).
  std::string pending_message(const std::string& name) const {
    std::string message;
    eventually([&] {
      auto pod = api_.get<core::Pod>("default", name);
      for (const auto& c : pod.status().conditions())
        if (c.type() == "PodScheduled" && c.status() == "False" && c.reason() == "Unschedulable") message = c.message();
      return !message.empty();
    });
    return message;
  }

  std::vector<core::Event> events_of(const std::string& pod) const {
    std::vector<core::Event> out;
    for (auto& e : api_.list<core::Event>("default"))
      if (e.involved_object().name() == pod) out.push_back(std::move(e));
    return out;
  }

  std::vector<core::Pod> pods() const { return api_.list<core::Pod>("default"); }
  sdk::ApiClient& api() { return api_; }

 private:
  sdk::ApiClient api_;
  std::string scheduler_;
};

core::NodeSelectorRequirement requirement(const std::string& key, const std::string& op, std::vector<std::string> values = {}) {
  core::NodeSelectorRequirement r;
  r.set_key(key);
  r.set_operator_(op);
  for (auto& v : values) r.add_values(v);
  return r;
}

}  // namespace

TEST_P(SchedulerConformance, BindsEachPodToANodeWithRoomForIt) {
  Cluster cluster(harness());
  cluster.add_node("small", {.cpu = "1", .memory = "1Gi"});
  cluster.add_node("large", {.cpu = "8", .memory = "16Gi"});
  cluster.create(cluster.pod("needs-cpu", "3", "100Mi"));
  cluster.create(cluster.pod("needs-memory", "100m", "4Gi"));
  EXPECT_EQ(cluster.bound("needs-cpu"), "large");
  EXPECT_EQ(cluster.bound("needs-memory"), "large");
  auto events = cluster.events_of("needs-cpu");
  ASSERT_TRUE(eventually([&] {
    events = cluster.events_of("needs-cpu");
    return !events.empty();
  }));
  EXPECT_EQ(events[0].reason(), "Scheduled");
  EXPECT_EQ(events[0].message(), "Successfully assigned default/needs-cpu to large");
  EXPECT_EQ(events[0].source().component(), harness().scheduler_name());
}

TEST_P(SchedulerConformance, PodsCountAgainstTheNodesPodCapacity) {
  Cluster cluster(harness());
  cluster.add_node("tiny", {.pods = "2"});
  for (const char* name : {"p1", "p2", "p3"}) cluster.create(cluster.pod(name));
  // Pods are tried in the order they came (equal priority): the third finds the node full.
  EXPECT_EQ(cluster.pending_message("p3"), "0/1 nodes are available: 1 Too many pods.");
  // The verdict on p3 can be written before the bindings of p1 and p2 have landed.
  auto count_bound = [&] {
    int bound = 0;
    for (const auto& p : cluster.pods()) bound += !p.spec().node_name().empty();
    return bound;
  };
  EXPECT_TRUE(eventually([&] { return count_bound() == 2; })) << count_bound() << " pods bound";
}

TEST_P(SchedulerConformance, NodeSelectorAndRequiredNodeAffinity) {
  Cluster cluster(harness());
  cluster.add_node("a", {.labels = {{"disk", "ssd"}, {"zone", "z1"}, {"cores", "4"}}});
  cluster.add_node("b", {.labels = {{"disk", "hdd"}, {"zone", "z2"}, {"cores", "16"}}});
  cluster.add_node("c", {.labels = {{"zone", "z3"}, {"cores", "64"}}});

  auto selector = cluster.pod("selector");
  (*selector.mutable_spec()->mutable_node_selector())["disk"] = "ssd";
  cluster.create(selector);

  auto with_terms = [&](const std::string& name, std::vector<core::NodeSelectorRequirement> expressions) {
    auto pod = cluster.pod(name);
    auto* term = pod.mutable_spec()->mutable_affinity()->mutable_node_affinity()
                     ->mutable_required_during_scheduling_ignored_during_execution()->add_node_selector_terms();
    for (auto& e : expressions) *term->add_match_expressions() = e;
    cluster.create(pod);
  };
  with_terms("in", {requirement("zone", "In", {"z2"})});
  with_terms("notin", {requirement("zone", "NotIn", {"z1", "z2"})});
  with_terms("exists", {requirement("disk", "Exists"), requirement("zone", "NotIn", {"z1"})});
  with_terms("doesnotexist", {requirement("disk", "DoesNotExist")});
  with_terms("gt", {requirement("cores", "Gt", {"20"})});
  with_terms("lt", {requirement("cores", "Lt", {"8"})});
  with_terms("nowhere", {requirement("zone", "In", {"z9"})});

  EXPECT_EQ(cluster.bound("selector"), "a");
  EXPECT_EQ(cluster.bound("in"), "b");
  EXPECT_EQ(cluster.bound("notin"), "c");
  EXPECT_EQ(cluster.bound("exists"), "b");
  EXPECT_EQ(cluster.bound("doesnotexist"), "c");
  EXPECT_EQ(cluster.bound("gt"), "c");
  EXPECT_EQ(cluster.bound("lt"), "a");
  EXPECT_EQ(cluster.pending_message("nowhere"), "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
}

TEST_P(SchedulerConformance, TaintsKeepPodsAwayUnlessTolerated) {
  Cluster cluster(harness());
  cluster.add_node("gpu", {.taints = {{"dedicated", "gpu", "NoSchedule"}}});
  cluster.add_node("draining", {.taints = {{"maintenance", "", "NoExecute"}}});
  cluster.create(cluster.pod("plain"));
  auto tolerant = cluster.pod("tolerant");
  auto* t = tolerant.mutable_spec()->add_tolerations();
  t->set_key("dedicated");
  t->set_operator_("Equal");
  t->set_value("gpu");
  t->set_effect("NoSchedule");
  cluster.create(tolerant);
  auto exists = cluster.pod("tolerates-everything");
  exists.mutable_spec()->add_tolerations()->set_operator_("Exists");
  (*exists.mutable_spec()->mutable_node_selector())["kubernetes.io/hostname"] = "draining";
  cluster.create(exists);

  EXPECT_EQ(cluster.bound("tolerant"), "gpu");
  EXPECT_EQ(cluster.bound("tolerates-everything"), "draining");
  EXPECT_EQ(cluster.pending_message("plain"),
            "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated "
            "taint {maintenance: }.");
}

TEST_P(SchedulerConformance, CordonedNodesTakeNoPods) {
  Cluster cluster(harness());
  cluster.add_node("cordoned", {.unschedulable = true});
  cluster.create(cluster.pod("waiting"));
  EXPECT_EQ(cluster.pending_message("waiting"), "0/1 nodes are available: 1 node(s) were unschedulable.");
  cluster.add_node("open");
  EXPECT_EQ(cluster.bound("waiting"), "open");  // a new node wakes the parked pod
}

TEST_P(SchedulerConformance, HostPortsInUseAreAvoided) {
  Cluster cluster(harness());
  cluster.add_node("only");
  auto with_port = [&](const std::string& name, int port) {
    auto pod = cluster.pod(name);
    auto* p = pod.mutable_spec()->mutable_containers(0)->add_ports();
    p->set_container_port(80);
    p->set_host_port(port);
    return pod;
  };
  cluster.create(with_port("first", 8080));
  ASSERT_EQ(cluster.bound("first"), "only");
  cluster.create(with_port("other-port", 8081));
  cluster.create(with_port("same-port", 8080));
  EXPECT_EQ(cluster.bound("other-port"), "only");
  EXPECT_EQ(cluster.pending_message("same-port"),
            "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
}

TEST_P(SchedulerConformance, PodAntiAffinityOnHostname) {
  Cluster cluster(harness());
  cluster.add_node("n1");
  cluster.add_node("n2");
  auto replica = [&](const std::string& name) {
    auto pod = cluster.pod(name);
    (*pod.mutable_metadata()->mutable_labels())["app"] = "db";
    auto* term = pod.mutable_spec()->mutable_affinity()->mutable_pod_anti_affinity()
                     ->add_required_during_scheduling_ignored_during_execution();
    (*term->mutable_label_selector()->mutable_match_labels())["app"] = "db";
    term->set_topology_key("kubernetes.io/hostname");
    return pod;
  };
  cluster.create(replica("db-0"));
  std::string first = cluster.bound("db-0");
  cluster.create(replica("db-1"));
  std::string second = cluster.bound("db-1");
  EXPECT_FALSE(first.empty());
  EXPECT_FALSE(second.empty());
  EXPECT_NE(first, second);
  cluster.create(replica("db-2"));
  EXPECT_EQ(cluster.pending_message("db-2"), "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.");
  // A pod without the rule may not join either: the replicas repel pods with their label.
  auto plain = cluster.pod("plain-db");
  (*plain.mutable_metadata()->mutable_labels())["app"] = "db";
  cluster.create(plain);
  EXPECT_EQ(cluster.pending_message("plain-db"),
            "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules.");
}

TEST_P(SchedulerConformance, PendingReasonsCountEachKindOfNode) {
  Cluster cluster(harness());
  for (const char* name : {"s1", "s2", "s3"}) cluster.add_node(name, {.cpu = "1"});
  for (const char* name : {"g1", "g2"}) cluster.add_node(name, {.cpu = "16", .taints = {{"dedicated", "gpu", "NoSchedule"}}});
  cluster.create(cluster.pod("big", "4"));
  std::string expected = "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}.";
  EXPECT_EQ(cluster.pending_message("big"), expected);
  std::vector<core::Event> events;
  ASSERT_TRUE(eventually([&] {
    events = cluster.events_of("big");
    return std::any_of(events.begin(), events.end(), [](const auto& e) { return e.reason() == "FailedScheduling"; });
  }));
  for (const auto& e : events)
    if (e.reason() == "FailedScheduling") {
      EXPECT_EQ(e.type(), "Warning");
      EXPECT_EQ(e.message(), expected);
    }
}

TEST_P(SchedulerConformance, ConcurrentCreationNeverOverCommits) {
  Cluster cluster(harness());
  for (const char* name : {"n1", "n2", "n3"}) cluster.add_node(name, {.cpu = "4", .memory = "64Gi"});
  constexpr int kPods = 24;  // 12 fit (one CPU each)
  std::vector<std::thread> creators;
  for (int t = 0; t < 4; ++t)
    creators.emplace_back([&, t] {
      Cluster own(harness());
      for (int i = t; i < kPods; i += 4) own.create(own.pod("burst-" + std::to_string(i), "1", "1Gi"));
    });
  for (auto& c : creators) c.join();
  std::map<std::string, int> per_node;
  ASSERT_TRUE(eventually([&] {
    per_node.clear();
    int bound = 0;
    for (const auto& p : cluster.pods()) {
      if (p.spec().node_name().empty()) continue;
      ++per_node[p.spec().node_name()];
      ++bound;
    }
    return bound >= 12;
  }));
  // Give a double booking the chance to show, then count again.
  int pending_with_reason = 0;
  ASSERT_TRUE(eventually([&] {
    pending_with_reason = 0;
    for (const auto& p : cluster.pods())
      for (const auto& c : p.status().conditions())
        pending_with_reason += p.spec().node_name().empty() && c.type() == "PodScheduled" && c.status() == "False";
    return pending_with_reason == kPods - 12;
  }));
  per_node.clear();
  for (const auto& p : cluster.pods())
    if (!p.spec().node_name().empty()) ++per_node[p.spec().node_name()];
  for (const auto& [node, count] : per_node) EXPECT_EQ(count, 4) << node;
  EXPECT_EQ(per_node.size(), 3u);
}

TEST_P(SchedulerConformance, ScoringSpreadsOrPacks) {
  Cluster cluster(harness());
  cluster.add_node("n1");
  cluster.add_node("n2");
  cluster.create(cluster.pod("first", "500m", "512Mi"));
  std::string first = cluster.bound("first");
  ASSERT_FALSE(first.empty());
  cluster.create(cluster.pod("second", "500m", "512Mi"));
  std::string second = cluster.bound("second");
  if (GetParam().scoring == Scoring::Spread) EXPECT_NE(first, second);
  else EXPECT_EQ(first, second);
}

TEST_P(SchedulerConformance, PreferredNodeAffinityWins) {
  Cluster cluster(harness());
  cluster.add_node("plain-1");
  cluster.add_node("preferred", {.labels = {{"zone", "b"}}});
  cluster.add_node("plain-2");
  auto pod = cluster.pod("picky");
  auto* term = pod.mutable_spec()->mutable_affinity()->mutable_node_affinity()
                   ->add_preferred_during_scheduling_ignored_during_execution();
  term->set_weight(100);
  *term->mutable_preference()->add_match_expressions() = requirement("zone", "In", {"b"});
  cluster.create(pod);
  EXPECT_EQ(cluster.bound("picky"), "preferred");
}

TEST_P(SchedulerConformance, TopologySpreadKeepsTheSkew) {
  Cluster cluster(harness());
  cluster.add_node("n1");
  cluster.add_node("n2");
  for (int i = 0; i < 4; ++i) {
    auto pod = cluster.pod("web-" + std::to_string(i));
    (*pod.mutable_metadata()->mutable_labels())["app"] = "web";
    auto* c = pod.mutable_spec()->add_topology_spread_constraints();
    c->set_max_skew(1);
    c->set_topology_key("kubernetes.io/hostname");
    c->set_when_unsatisfiable("DoNotSchedule");
    (*c->mutable_label_selector()->mutable_match_labels())["app"] = "web";
    cluster.create(pod);
    ASSERT_FALSE(cluster.bound(pod.metadata().name()).empty());
  }
  std::map<std::string, int> per_node;
  for (const auto& p : cluster.pods()) ++per_node[p.spec().node_name()];
  EXPECT_EQ(per_node["n1"], 2);
  EXPECT_EQ(per_node["n2"], 2);
}

TEST_P(SchedulerConformance, HigherPriorityGoesFirst) {
  Cluster cluster(harness());
  auto low = cluster.pod("low", "3");
  low.mutable_spec()->set_priority(1);
  auto high = cluster.pod("high", "3");
  high.mutable_spec()->set_priority(1000);
  // low fails first, so its back-off ends first: the node must still go to high.
  cluster.create(low);
  EXPECT_EQ(cluster.pending_message("low"), "0/0 nodes are available: no nodes available to schedule pods.");
  cluster.create(high);
  EXPECT_FALSE(cluster.pending_message("high").empty());
  cluster.add_node("room-for-one", {.cpu = "4"});
  EXPECT_EQ(cluster.bound("high"), "room-for-one");
  EXPECT_EQ(cluster.pending_message("low"), "0/1 nodes are available: 1 Insufficient cpu.");
}

TEST_P(SchedulerConformance, PodsForOtherSchedulersAreLeftAlone) {
  Cluster cluster(harness());
  cluster.add_node("n1");
  auto other = cluster.pod("someone-elses");
  other.mutable_spec()->set_scheduler_name("not-" + harness().scheduler_name());
  cluster.create(other);
  cluster.create(cluster.pod("mine"));
  ASSERT_EQ(cluster.bound("mine"), "n1");
  EXPECT_EQ(cluster.node_of("someone-elses"), "");
  EXPECT_TRUE(cluster.events_of("someone-elses").empty());
}

}  // namespace skiff::conformance
