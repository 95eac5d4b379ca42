// Compiled node selectors and affinity give the same answers as matching the strings.
#include <gtest/gtest.h>

#include "compiled_selectors.hpp"
#include "matching.hpp"

namespace {

using namespace skiff;
using namespace skiff::sdk::scheduling;
namespace core = api::core::v1;

NodeInfo node(const std::string& name, std::map<std::string, std::string> labels) {
  auto n = std::make_shared<core::Node>();
  n->mutable_metadata()->set_name(name);
  for (const auto& [k, v] : labels) (*n->mutable_metadata()->mutable_labels())[k] = v;
  return NodeInfo(n);
}

core::NodeSelectorRequirement requirement(const std::string& key, const std::string& op, std::vector<std::string> values) {
  core::NodeSelectorRequirement r;
  r.set_key(key);
  r.set_operator_(op);
  for (const auto& v : values) r.add_values(v);
  return r;
}

core::Pod pod_with_terms(std::vector<std::vector<core::NodeSelectorRequirement>> terms, bool fields = false) {
  core::Pod pod;
  auto* required = pod.mutable_spec()->mutable_affinity()->mutable_node_affinity()
                       ->mutable_required_during_scheduling_ignored_during_execution();
  for (const auto& reqs : terms) {
    auto* term = required->add_node_selector_terms();
    for (const auto& r : reqs) *(fields ? term->add_match_fields() : term->add_match_expressions()) = r;
  }
  return pod;
}

// The compiled form and the string matcher must agree on every node.
void expect_agree(const core::Pod& pod, const std::vector<NodeInfo>& nodes) {
  auto compiled = CompiledNodeRequirements::compile(pod);
  for (const auto& n : nodes)
    EXPECT_EQ(compiled.matches(n), node_matches_pod_requirements(pod, n)) << "node " << n.name();
}

std::vector<NodeInfo> some_nodes() {
  return {node("n1", {{"zone", "a"}, {"disk", "ssd"}, {"cores", "8"}}), node("n2", {{"zone", "b"}, {"cores", "2"}}),
          node("n3", {{"zone", "c"}, {"disk", "hdd"}}), node("n4", {})};
}

TEST(CompiledSelectors, EveryOperatorAgreesWithTheStringMatcher) {
  auto nodes = some_nodes();
  for (const auto& r : {requirement("zone", "In", {"a", "c", "unknown"}), requirement("zone", "NotIn", {"a"}),
                        requirement("disk", "Exists", {}), requirement("disk", "DoesNotExist", {}),
                        requirement("cores", "Gt", {"4"}), requirement("cores", "Lt", {"4"}),
                        requirement("cores", "Gt", {"not-a-number"}), requirement("never-a-key", "NotIn", {"x"}),
                        requirement("zone", "Bogus", {"a"})})
    expect_agree(pod_with_terms({{r}}), nodes);
}

TEST(CompiledSelectors, TermsAreOredAndRequirementsAnded) {
  auto nodes = some_nodes();
  auto pod = pod_with_terms({{requirement("zone", "In", {"a", "b"}), requirement("disk", "Exists", {})},
                             {requirement("zone", "In", {"c"})}});
  auto compiled = CompiledNodeRequirements::compile(pod);
  EXPECT_TRUE(compiled.matches(nodes[0]));
  EXPECT_FALSE(compiled.matches(nodes[1]));
  EXPECT_TRUE(compiled.matches(nodes[2]));
  EXPECT_FALSE(compiled.matches(nodes[3]));
  expect_agree(pod, nodes);
}

TEST(CompiledSelectors, AnEmptyTermMatchesNothing) {
  auto pod = pod_with_terms({{}});
  EXPECT_FALSE(CompiledNodeRequirements::compile(pod).matches(some_nodes()[0]));
  expect_agree(pod, some_nodes());
}

TEST(CompiledSelectors, NodeSelectorNeedsEveryPairAndUnknownValuesMatchNothing) {
  auto nodes = some_nodes();
  core::Pod pod;
  (*pod.mutable_spec()->mutable_node_selector())["zone"] = "a";
  (*pod.mutable_spec()->mutable_node_selector())["disk"] = "ssd";
  EXPECT_TRUE(CompiledNodeRequirements::compile(pod).applies());
  expect_agree(pod, nodes);
  (*pod.mutable_spec()->mutable_node_selector())["disk"] = "never-a-value";
  EXPECT_FALSE(CompiledNodeRequirements::compile(pod).matches(nodes[0]));
  expect_agree(pod, nodes);
  EXPECT_FALSE(CompiledNodeRequirements::compile(core::Pod{}).applies());
}

TEST(CompiledSelectors, MatchFieldsComparesTheNodeName) {
  auto nodes = some_nodes();
  expect_agree(pod_with_terms({{requirement("metadata.name", "In", {"n2", "n3"})}}, true), nodes);
  expect_agree(pod_with_terms({{requirement("metadata.name", "NotIn", {"n2"})}}, true), nodes);
  expect_agree(pod_with_terms({{requirement("metadata.labels", "In", {"n2"})}}, true), nodes);
}

TEST(CompiledSelectors, PreferencesSumTheWeightsOfMatchingTerms) {
  auto nodes = some_nodes();  // first, as in a cycle: the nodes' labels are interned before the pod compiles
  core::Pod pod;
  auto* preferred = pod.mutable_spec()->mutable_affinity()->mutable_node_affinity();
  auto* ssd = preferred->add_preferred_during_scheduling_ignored_during_execution();
  ssd->set_weight(10);
  *ssd->mutable_preference()->add_match_expressions() = requirement("disk", "In", {"ssd"});
  auto* zone = preferred->add_preferred_during_scheduling_ignored_during_execution();
  zone->set_weight(3);
  *zone->mutable_preference()->add_match_expressions() = requirement("zone", "In", {"a", "b"});
  auto prefs = CompiledPreferences::compile(pod);
  EXPECT_EQ(prefs.score(nodes[0]), 13);
  EXPECT_EQ(prefs.score(nodes[1]), 3);
  EXPECT_EQ(prefs.score(nodes[3]), 0);
}

}  // namespace
