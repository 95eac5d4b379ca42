#include "matching.hpp"

#include <algorithm>
#include <charconv>

namespace skiff::sdk::scheduling {
namespace {

namespace core = api::core::v1;

bool parse_int(const std::string& text, long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// One requirement against a value that may be absent.
bool requirement_holds(const core::NodeSelectorRequirement& r, const std::string* value) {
  const auto& op = r.operator_();
  auto listed = [&] { return value && std::find(r.values().begin(), r.values().end(), *value) != r.values().end(); };
  if (op == "In") return listed();
  if (op == "NotIn") return !listed();
  if (op == "Exists") return value != nullptr;
  if (op == "DoesNotExist") return value == nullptr;
  if (op == "Gt" || op == "Lt") {
    long long have = 0, want = 0;
    if (!value || r.values_size() != 1 || !parse_int(*value, have) || !parse_int(r.values(0), want)) return false;
    return op == "Gt" ? have > want : have < want;
  }
  return false;
}

}  // namespace

bool node_matches_term(const core::NodeSelectorTerm& term, const NodeInfo& node) {
  if (term.match_expressions().empty() && term.match_fields().empty()) return false;
  for (const auto& r : term.match_expressions())
    if (!requirement_holds(r, node.label(r.key()))) return false;
  for (const auto& r : term.match_fields()) {
    if (r.key() != "metadata.name") return false;  // the only field Kubernetes supports here
    if (!requirement_holds(r, &node.name())) return false;
  }
  return true;
}

bool has_node_requirements(const core::Pod& pod) {
  return !pod.spec().node_selector().empty() ||
         pod.spec().affinity().node_affinity().has_required_during_scheduling_ignored_during_execution();
}

bool node_matches_pod_requirements(const core::Pod& pod, const NodeInfo& node) {
  for (const auto& [key, value] : pod.spec().node_selector()) {
    const std::string* have = node.label(key);
    if (!have || *have != value) return false;
  }
  const auto& affinity = pod.spec().affinity().node_affinity();
  if (!affinity.has_required_during_scheduling_ignored_during_execution()) return true;
  const auto& terms = affinity.required_during_scheduling_ignored_during_execution().node_selector_terms();
  return std::any_of(terms.begin(), terms.end(), [&](const core::NodeSelectorTerm& t) { return node_matches_term(t, node); });
}

bool tolerates(const core::Toleration& t, const core::Taint& taint) {
  if (!t.effect().empty() && t.effect() != taint.effect()) return false;
  if (t.operator_() == "Exists") return t.key().empty() || t.key() == taint.key();
  // Equal (the default)
  return t.key() == taint.key() && t.value() == taint.value();
}

bool tolerates_any(const google::protobuf::RepeatedPtrField<core::Toleration>& tolerations, const core::Taint& taint) {
  return std::any_of(tolerations.begin(), tolerations.end(), [&](const core::Toleration& t) { return tolerates(t, taint); });
}

}  // namespace skiff::sdk::scheduling
