// Taints, tolerations and node conditions as the node lifecycle controller reads and writes them.
#include "node_taints.hpp"

#include <algorithm>

namespace skiff::controllers {

namespace core = api::core::v1;

bool tolerates(const core::Toleration& toleration, const core::Taint& taint) {
  if (!toleration.effect().empty() && toleration.effect() != taint.effect()) return false;
  if (!toleration.key().empty() && toleration.key() != taint.key()) return false;
  if (toleration.operator_().empty() || toleration.operator_() == "Equal") return toleration.value() == taint.value();
  return toleration.operator_() == "Exists";
}

std::optional<std::chrono::milliseconds> eviction_delay(const core::Pod& pod, const core::Taint& taint,
                                                        std::chrono::milliseconds default_timeout) {
  for (const auto& toleration : pod.spec().tolerations()) {
    if (!tolerates(toleration, taint)) continue;
    if (!toleration.has_toleration_seconds()) return std::nullopt;
    return std::chrono::milliseconds(std::max<std::int64_t>(0, toleration.toleration_seconds()) * 1000);
  }
  if (taint.key() == kUnreachableTaint || taint.key() == kNotReadyTaint) return default_timeout;
  return std::chrono::milliseconds(0);
}

namespace {

bool has_taint(const core::Node& node, const std::string& key, const std::string& effect) {
  return std::any_of(node.spec().taints().begin(), node.spec().taints().end(),
                     [&](const core::Taint& t) { return t.key() == key && t.effect() == effect; });
}

}  // namespace

std::optional<google::protobuf::RepeatedPtrField<core::Taint>> condition_taints(const core::Node& node, bool unreachable,
                                                                              bool not_ready, const std::string& now) {
  bool want_unreachable = unreachable, want_not_ready = not_ready && !unreachable;
  if (has_taint(node, kUnreachableTaint, "NoExecute") == want_unreachable &&
      has_taint(node, kUnreachableTaint, "NoSchedule") == want_unreachable &&
      has_taint(node, kNotReadyTaint, "NoExecute") == want_not_ready &&
      has_taint(node, kNotReadyTaint, "NoSchedule") == want_not_ready)
    return std::nullopt;
  google::protobuf::RepeatedPtrField<core::Taint> taints;
  for (const auto& t : node.spec().taints())
    if (t.key() != kUnreachableTaint && t.key() != kNotReadyTaint) *taints.Add() = t;
  auto add = [&](const char* key, const char* effect) {
    for (const auto& old : node.spec().taints())
      if (old.key() == key && old.effect() == effect) {
        *taints.Add() = old;  // keeps its timeAdded
        return;
      }
    auto* t = taints.Add();
    t->set_key(key);
    t->set_effect(effect);
    t->set_time_added(now);
  };
  if (want_unreachable) {
    add(kUnreachableTaint, "NoSchedule");
    add(kUnreachableTaint, "NoExecute");
  }
  if (want_not_ready) {
    add(kNotReadyTaint, "NoSchedule");
    add(kNotReadyTaint, "NoExecute");
  }
  return taints;
}

void mark_conditions_unknown(core::Node& node, const std::string& now) {
  auto* conditions = node.mutable_status()->mutable_conditions();
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    auto it = std::find_if(conditions->begin(), conditions->end(), [&](const core::NodeCondition& c) { return c.type() == type; });
    if (it == conditions->end()) {
      auto* c = conditions->Add();
      c->set_type(type);
      c->set_status("Unknown");
      c->set_reason("NodeStatusNeverUpdated");
      c->set_message("Kubelet never posted node status.");
      c->set_last_heartbeat_time(node.metadata().creation_timestamp());
      c->set_last_transition_time(now);
    } else if (it->status() != "Unknown") {
      it->set_status("Unknown");
      it->set_reason("NodeStatusUnknown");
      it->set_message("Kubelet stopped posting node status.");
      it->set_last_transition_time(now);
    }
  }
}

}  // namespace skiff::controllers
