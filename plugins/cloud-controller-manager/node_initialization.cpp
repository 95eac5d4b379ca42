// Node initialisation and the shutdown taint, as pure edits of a Node.
#include "node_initialization.hpp"

#include <algorithm>

namespace skiff::cloud_controllers {

namespace core = api::core::v1;

bool has_taint(const core::Node& node, const char* key) {
  const auto& taints = node.spec().taints();
  return std::any_of(taints.begin(), taints.end(), [&](const core::Taint& t) { return t.key() == key; });
}

namespace {

void remove_taint(core::Node& node, const char* key) {
  auto* taints = node.mutable_spec()->mutable_taints();
  taints->erase(std::remove_if(taints->begin(), taints->end(), [&](const core::Taint& t) { return t.key() == key; }),
                taints->end());
}

void set_label(core::Node& node, const char* key, const std::string& value) {
  if (!value.empty()) (*node.mutable_metadata()->mutable_labels())[key] = value;
}

}  // namespace

core::Node initialized(core::Node node, const cloudprovider::v1::InstanceMetadataResponse& metadata) {
  if (node.spec().provider_id().empty()) node.mutable_spec()->set_provider_id(metadata.provider_id());
  set_label(node, kZoneLabel, metadata.zone());
  set_label(node, kRegionLabel, metadata.region());
  set_label(node, kInstanceTypeLabel, metadata.instance_type());
  remove_taint(node, kUninitializedTaint);
  return node;
}

std::optional<core::Node> with_shutdown_taint(const core::Node& node, bool shutdown, const std::string& now) {
  if (has_taint(node, kShutdownTaint) == shutdown) return std::nullopt;
  core::Node changed = node;
  if (!shutdown) {
    remove_taint(changed, kShutdownTaint);
    return changed;
  }
  auto* taint = changed.mutable_spec()->add_taints();
  taint->set_key(kShutdownTaint);
  taint->set_effect("NoSchedule");
  taint->set_time_added(now);
  return changed;
}

bool is_ready(const core::Node& node) {
  for (const auto& condition : node.status().conditions())
    if (condition.type() == "Ready") return condition.status() == "True";
  return false;
}

}  // namespace skiff::cloud_controllers
