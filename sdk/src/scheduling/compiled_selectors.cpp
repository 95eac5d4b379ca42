#include "compiled_selectors.hpp"

#include <algorithm>
#include <charconv>

namespace skiff::sdk::scheduling {
namespace {

namespace core = api::core::v1;
using Op = CompiledRequirement::Op;

bool parse_int(const std::string& text, long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

Op op_of(const std::string& name) {
  if (name == "In") return Op::In;
  if (name == "NotIn") return Op::NotIn;
  if (name == "Exists") return Op::Exists;
  if (name == "DoesNotExist") return Op::DoesNotExist;
  if (name == "Gt") return Op::Gt;
  if (name == "Lt") return Op::Lt;
  return Op::Never;  // unknown operators match nothing
}

}  // namespace

CompiledRequirement CompiledRequirement::compile(const core::NodeSelectorRequirement& r, bool field) {
  auto& interner = LabelInterner::global();
  CompiledRequirement c;
  c.op = op_of(r.operator_());
  c.on_name = field;
  if (field && r.key() != "metadata.name") c.op = Op::Never;  // the only field Kubernetes supports here
  if (!field) c.key = interner.find(r.key());
  c.key_text = r.key();
  if (c.op == Op::Gt || c.op == Op::Lt) {
    if (r.values_size() != 1 || !parse_int(r.values(0), c.bound)) c.op = Op::Never;
    return c;
  }
  for (const auto& v : r.values()) {
    if (field) c.names.push_back(v);
    else if (LabelId id = interner.find(v); id != kNoLabel) c.values.push_back(id);
  }
  std::sort(c.values.begin(), c.values.end());
  return c;
}

bool CompiledRequirement::holds(const NodeInfo& node) const {
  if (on_name) {
    bool listed = std::find(names.begin(), names.end(), node.name()) != names.end();
    switch (op) {
      case Op::In: return listed;
      case Op::NotIn: return !listed;
      case Op::Exists: return true;
      case Op::DoesNotExist: return false;
      case Op::Gt:
      case Op::Lt: {
        long long have = 0;
        return parse_int(node.name(), have) && (op == Op::Gt ? have > bound : have < bound);
      }
      case Op::Never: return false;
    }
    return false;
  }
  LabelId value = key == kNoLabel ? kNoLabel : node.labels().value_of(key);
  auto listed = [&] { return value != kNoLabel && std::binary_search(values.begin(), values.end(), value); };
  switch (op) {
    case Op::In: return listed();
    case Op::NotIn: return !listed();
    case Op::Exists: return value != kNoLabel;
    case Op::DoesNotExist: return value == kNoLabel;
    case Op::Gt:
    case Op::Lt: {
      // Rare: the label's text, which must be a whole number.
      const std::string* text = value == kNoLabel ? nullptr : node.label(key_text);
      long long have = 0;
      return text && parse_int(*text, have) && (op == Op::Gt ? have > bound : have < bound);
    }
    case Op::Never: return false;
  }
  return false;
}

CompiledTerm CompiledTerm::compile(const core::NodeSelectorTerm& term) {
  CompiledTerm c;
  c.empty = term.match_expressions().empty() && term.match_fields().empty();
  for (const auto& r : term.match_expressions()) c.requirements.push_back(CompiledRequirement::compile(r, false));
  for (const auto& r : term.match_fields()) c.requirements.push_back(CompiledRequirement::compile(r, true));
  return c;
}

bool CompiledTerm::matches(const NodeInfo& node) const {
  if (empty) return false;
  return std::all_of(requirements.begin(), requirements.end(), [&](const CompiledRequirement& r) { return r.holds(node); });
}

CompiledNodeRequirements CompiledNodeRequirements::compile(const core::Pod& pod) {
  auto& interner = LabelInterner::global();
  CompiledNodeRequirements c;
  for (const auto& [key, value] : pod.spec().node_selector()) {
    LabelId k = interner.find(key), v = interner.find(value);
    if (k == kNoLabel || v == kNoLabel) c.selector_unmatchable = true;
    else c.selector.emplace_back(k, v);
  }
  const auto& affinity = pod.spec().affinity().node_affinity();
  c.has_affinity = affinity.has_required_during_scheduling_ignored_during_execution();
  if (c.has_affinity)
    for (const auto& t : affinity.required_during_scheduling_ignored_during_execution().node_selector_terms())
      c.terms.push_back(CompiledTerm::compile(t));
  return c;
}

bool CompiledNodeRequirements::matches(const NodeInfo& node) const {
  if (selector_unmatchable) return false;
  for (const auto& [key, value] : selector)
    if (node.labels().value_of(key) != value) return false;
  if (!has_affinity) return true;
  return std::any_of(terms.begin(), terms.end(), [&](const CompiledTerm& t) { return t.matches(node); });
}

CompiledPreferences CompiledPreferences::compile(const core::Pod& pod) {
  CompiledPreferences c;
  for (const auto& term : pod.spec().affinity().node_affinity().preferred_during_scheduling_ignored_during_execution())
    if (term.weight() != 0) c.terms.emplace_back(CompiledTerm::compile(term.preference()), term.weight());
  return c;
}

std::int64_t CompiledPreferences::score(const NodeInfo& node) const {
  std::int64_t total = 0;
  for (const auto& [term, weight] : terms)
    if (term.matches(node)) total += weight;
  return total;
}

}  // namespace skiff::sdk::scheduling
