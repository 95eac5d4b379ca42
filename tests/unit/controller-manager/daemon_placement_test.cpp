// Which nodes a DaemonSet's pods belong on, and the pod made for one node.
#include <gtest/gtest.h>

#include "daemon_placement.hpp"

namespace {

using namespace skiff;
using namespace skiff::controllers;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

core::Node node(const std::string& name, std::map<std::string, std::string> labels = {}) {
  core::Node n;
  n.mutable_metadata()->set_name(name);
  for (const auto& [k, v] : labels) (*n.mutable_metadata()->mutable_labels())[k] = v;
  return n;
}

void taint(core::Node& n, const std::string& key, const std::string& effect) {
  auto* t = n.mutable_spec()->add_taints();
  t->set_key(key);
  t->set_effect(effect);
}

core::PodTemplateSpec tmpl() {
  core::PodTemplateSpec t;
  (*t.mutable_metadata()->mutable_labels())["app"] = "agent";
  t.mutable_spec()->add_containers()->set_name("agent");
  return t;
}

TEST(DaemonSetPlacement, EveryPlainNodeRunsOne) {
  auto placement = daemon_placement(tmpl(), node("a"));
  EXPECT_TRUE(placement.should_run);
  EXPECT_TRUE(placement.should_continue_running);
}

TEST(DaemonSetPlacement, NodeSelectorAndRequiredAffinityPickNodes) {
  auto t = tmpl();
  (*t.mutable_spec()->mutable_node_selector())["disk"] = "ssd";
  EXPECT_FALSE(daemon_placement(t, node("a")).should_run);
  EXPECT_TRUE(daemon_placement(t, node("b", {{"disk", "ssd"}})).should_run);

  auto* term = t.mutable_spec()->mutable_affinity()->mutable_node_affinity()
                   ->mutable_required_during_scheduling_ignored_during_execution()->add_node_selector_terms();
  auto* r = term->add_match_expressions();
  r->set_key("zone");
  r->set_operator_("In");
  r->add_values("z1");
  EXPECT_FALSE(daemon_placement(t, node("b", {{"disk", "ssd"}, {"zone", "z2"}})).should_run);
  EXPECT_TRUE(daemon_placement(t, node("b", {{"disk", "ssd"}, {"zone", "z1"}})).should_run);
}

TEST(DaemonSetPlacement, UntoleratedTaintsKeepPodsOffAndNoExecuteEvicts) {
  auto n = node("a");
  taint(n, "dedicated", "NoSchedule");
  auto placement = daemon_placement(tmpl(), n);
  EXPECT_FALSE(placement.should_run);
  EXPECT_TRUE(placement.should_continue_running);  // NoSchedule leaves a running pod alone

  taint(n, "maintenance", "NoExecute");
  EXPECT_FALSE(daemon_placement(tmpl(), n).should_continue_running);

  auto t = tmpl();
  for (const char* key : {"dedicated", "maintenance"}) {
    auto* tol = t.mutable_spec()->add_tolerations();
    tol->set_key(key);
    tol->set_operator_("Exists");
  }
  EXPECT_TRUE(daemon_placement(t, n).should_run);
}

TEST(DaemonSetPlacement, NodeLifecycleTaintsAreToleratedByDefault) {
  auto n = node("a");
  taint(n, "node.kubernetes.io/not-ready", "NoExecute");
  taint(n, "node.kubernetes.io/unreachable", "NoExecute");
  taint(n, "node.kubernetes.io/unschedulable", "NoSchedule");
  taint(n, "node.kubernetes.io/disk-pressure", "NoSchedule");
  EXPECT_TRUE(daemon_placement(tmpl(), n).should_run);

  taint(n, "node.kubernetes.io/network-unavailable", "NoSchedule");
  EXPECT_FALSE(daemon_placement(tmpl(), n).should_run);
  auto host_network = tmpl();
  host_network.mutable_spec()->set_host_network(true);
  EXPECT_TRUE(daemon_placement(host_network, n).should_run);
}

TEST(DaemonSetPlacement, PodIsPinnedToItsNodeByMetadataName) {
  apps::DaemonSet ds;
  ds.mutable_metadata()->set_name("agent");
  ds.mutable_metadata()->set_namespace_("kube-system");
  ds.mutable_metadata()->set_uid("u1");
  *ds.mutable_spec()->mutable_template_() = tmpl();
  core::Pod pod = daemon_pod(ds, "abc", "node-7");
  EXPECT_EQ(pod.metadata().generate_name(), "agent-");
  EXPECT_EQ(pod.metadata().labels().at("controller-revision-hash"), "abc");
  EXPECT_TRUE(pod.spec().node_name().empty());  // the scheduler binds it
  const auto& terms = pod.spec().affinity().node_affinity().required_during_scheduling_ignored_during_execution().node_selector_terms();
  ASSERT_EQ(terms.size(), 1);
  ASSERT_EQ(terms[0].match_fields_size(), 1);
  EXPECT_EQ(terms[0].match_fields(0).key(), "metadata.name");
  EXPECT_EQ(terms[0].match_fields(0).values(0), "node-7");
  EXPECT_EQ(node_of_daemon_pod(pod), "node-7");
  EXPECT_EQ(pod.spec().tolerations_size(), 6);
  ASSERT_EQ(pod.metadata().owner_references_size(), 1);
  EXPECT_EQ(pod.metadata().owner_references(0).kind(), "DaemonSet");
}

}  // namespace
