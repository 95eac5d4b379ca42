// Node eligibility and the per-node pod of a DaemonSet.
#include "daemon_placement.hpp"

#include <algorithm>

#include "controller_history.hpp"
#include "node_taints.hpp"
#include "pod_state.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::controllers {
namespace {

namespace core = api::core::v1;

bool requirement_holds(const core::NodeSelectorRequirement& r, const std::string* value) {
  const auto& op = r.operator_();
  bool listed = value && std::find(r.values().begin(), r.values().end(), *value) != r.values().end();
  if (op == "In") return listed;
  if (op == "NotIn") return !listed;
  if (op == "Exists") return value != nullptr;
  if (op == "DoesNotExist") return value == nullptr;
  if ((op == "Gt" || op == "Lt") && value && r.values_size() == 1) {
    try {
      long long have = std::stoll(*value), want = std::stoll(r.values(0));
      return op == "Gt" ? have > want : have < want;
    } catch (const std::exception&) {
      return false;
    }
  }
  return false;
}

bool term_matches(const core::NodeSelectorTerm& term, const core::Node& node) {
  if (term.match_expressions().empty() && term.match_fields().empty()) return false;
  const auto& labels = node.metadata().labels();
  for (const auto& r : term.match_expressions()) {
    auto found = labels.find(r.key());
    if (!requirement_holds(r, found == labels.end() ? nullptr : &found->second)) return false;
  }
  for (const auto& r : term.match_fields())
    if (r.key() != "metadata.name" || !requirement_holds(r, &node.metadata().name())) return false;
  return true;
}

bool labels_fit(const core::PodSpec& spec, const core::Node& node) {
  const auto& labels = node.metadata().labels();
  for (const auto& [key, value] : spec.node_selector()) {
    auto found = labels.find(key);
    if (found == labels.end() || found->second != value) return false;
  }
  const auto& affinity = spec.affinity().node_affinity();
  if (!affinity.has_required_during_scheduling_ignored_during_execution()) return true;
  const auto& terms = affinity.required_during_scheduling_ignored_during_execution().node_selector_terms();
  return std::any_of(terms.begin(), terms.end(), [&](const auto& term) { return term_matches(term, node); });
}

bool tolerated(const core::PodSpec& spec, const core::Taint& taint) {
  return std::any_of(spec.tolerations().begin(), spec.tolerations().end(),
                     [&](const auto& toleration) { return tolerates(toleration, taint); });
}

void add_toleration(core::PodSpec& spec, const char* key, const char* effect) {
  for (const auto& t : spec.tolerations())
    if (t.key() == key && t.effect() == effect && t.operator_() == "Exists") return;
  auto* t = spec.add_tolerations();
  t->set_key(key);
  t->set_operator_("Exists");
  t->set_effect(effect);
}

}  // namespace

void add_daemon_tolerations(core::PodSpec& spec) {
  add_toleration(spec, "node.kubernetes.io/not-ready", "NoExecute");
  add_toleration(spec, "node.kubernetes.io/unreachable", "NoExecute");
  add_toleration(spec, "node.kubernetes.io/disk-pressure", "NoSchedule");
  add_toleration(spec, "node.kubernetes.io/memory-pressure", "NoSchedule");
  add_toleration(spec, "node.kubernetes.io/pid-pressure", "NoSchedule");
  add_toleration(spec, "node.kubernetes.io/unschedulable", "NoSchedule");
  if (spec.host_network()) add_toleration(spec, "node.kubernetes.io/network-unavailable", "NoSchedule");
}

DaemonPlacement daemon_placement(const core::PodTemplateSpec& pod_template, const core::Node& node) {
  core::PodSpec spec = pod_template.spec();
  add_daemon_tolerations(spec);
  DaemonPlacement placement;
  if (!labels_fit(spec, node)) return placement;
  placement.should_run = placement.should_continue_running = true;
  for (const auto& taint : node.spec().taints()) {
    if (tolerated(spec, taint)) continue;
    if (taint.effect() == "NoExecute") placement.should_run = placement.should_continue_running = false;
    if (taint.effect() == "NoSchedule") placement.should_run = false;
  }
  return placement;
}

void pin_to_node(core::PodSpec& spec, const std::string& node) {
  core::NodeSelectorRequirement pin;
  pin.set_key("metadata.name");
  pin.set_operator_("In");
  pin.add_values(node);
  auto* required = spec.mutable_affinity()->mutable_node_affinity()->mutable_required_during_scheduling_ignored_during_execution();
  if (required->node_selector_terms().empty()) required->add_node_selector_terms();
  for (auto& term : *required->mutable_node_selector_terms()) {
    term.clear_match_fields();
    *term.add_match_fields() = pin;
  }
}

std::string node_of_daemon_pod(const core::Pod& pod) {
  if (!pod.spec().node_name().empty()) return pod.spec().node_name();
  const auto& affinity = pod.spec().affinity().node_affinity();
  for (const auto& term : affinity.required_during_scheduling_ignored_during_execution().node_selector_terms())
    for (const auto& field : term.match_fields())
      if (field.key() == "metadata.name" && field.operator_() == "In" && field.values_size() == 1) return field.values(0);
  return "";
}

core::Pod daemon_pod(const api::apps::v1::DaemonSet& ds, const std::string& hash, const std::string& node) {
  core::Pod pod;
  auto* meta = pod.mutable_metadata();
  *meta = ds.spec().template_().metadata();
  meta->clear_name();
  meta->set_generate_name(ds.metadata().name() + "-");
  meta->set_namespace_(ds.metadata().namespace_());
  (*meta->mutable_labels())[kRevisionHashLabel] = hash;
  (*meta->mutable_labels())["pod-template-generation"] = std::to_string(ds.metadata().generation());
  *meta->add_owner_references() = controller_reference(ds.metadata(), sdk::resource_type_of<api::apps::v1::DaemonSet>());
  *pod.mutable_spec() = ds.spec().template_().spec();
  add_daemon_tolerations(*pod.mutable_spec());
  pin_to_node(*pod.mutable_spec(), node);
  return pod;
}

}  // namespace skiff::controllers
