#include "pod_state.hpp"

#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace core = api::core::v1;

bool is_active(const core::Pod& pod) {
  const auto& phase = pod.status().phase();
  return phase != "Succeeded" && phase != "Failed" && pod.metadata().deletion_timestamp().empty();
}

namespace {
const core::PodCondition* ready_condition(const core::Pod& pod) {
  for (const auto& c : pod.status().conditions())
    if (c.type() == "Ready") return &c;
  return nullptr;
}
}  // namespace

bool is_ready(const core::Pod& pod) {
  const auto* ready = ready_condition(pod);
  return ready && ready->status() == "True";
}

bool is_available(const core::Pod& pod, int min_ready_seconds, std::chrono::system_clock::time_point now) {
  const auto* ready = ready_condition(pod);
  if (!ready || ready->status() != "True") return false;
  if (min_ready_seconds <= 0) return true;
  auto since = sdk::parse_rfc3339(ready->last_transition_time());
  // Kubernetes: lastTransitionTime + minReadySeconds strictly before now.
  return since && now - *since > std::chrono::seconds(min_ready_seconds);
}

std::optional<std::chrono::seconds> time_until_available(const core::Pod& pod, int min_ready_seconds) {
  const auto* ready = ready_condition(pod);
  if (!ready || ready->status() != "True" || min_ready_seconds <= 0) return std::nullopt;
  auto since = sdk::parse_rfc3339(ready->last_transition_time());
  if (!since) return std::nullopt;
  auto left = *since + std::chrono::seconds(min_ready_seconds) - std::chrono::system_clock::now();
  if (left <= std::chrono::seconds(0)) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(left) + std::chrono::seconds(1);
}

const api::meta::v1::OwnerReference* controller_of(const api::meta::v1::ObjectMeta& meta) {
  for (const auto& ref : meta.owner_references())
    if (ref.controller()) return &ref;
  return nullptr;
}

api::meta::v1::OwnerReference controller_reference(const api::meta::v1::ObjectMeta& owner, const sdk::ResourceType& type) {
  api::meta::v1::OwnerReference ref;
  ref.set_api_version(type.api_version());
  ref.set_kind(type.kind);
  ref.set_name(owner.name());
  ref.set_uid(owner.uid());
  ref.set_controller(true);
  ref.set_block_owner_deletion(true);
  return ref;
}

}  // namespace skiff::controllers
