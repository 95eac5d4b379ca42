// Lets claims and volumes being deleted go once nothing uses them.
#include "volume_protection_controller.hpp"

#include <algorithm>

#include "skiff/sdk/storage/volumes.hpp"

namespace skiff::controllers {
namespace {

namespace vol = sdk::storage;
const char* const kClaimPrefix = "claim:";
const char* const kVolumePrefix = "volume:";

bool being_deleted_with(const api::meta::v1::ObjectMeta& meta, const char* finalizer) {
  return !meta.deletion_timestamp().empty() &&
         std::find(meta.finalizers().begin(), meta.finalizers().end(), finalizer) != meta.finalizers().end();
}

}  // namespace

void VolumeProtectionController::register_handlers() {
  auto claim_changed = [this](const auto& c) { enqueue(kClaimPrefix + key_of(*c)); };
  context_.informers.persistent_volume_claims().add_handlers(claim_changed, [=](const auto&, const auto& c) { claim_changed(c); },
                                                             nullptr);
  auto volume_changed = [this](const auto& v) { enqueue(kVolumePrefix + v->metadata().name()); };
  context_.informers.persistent_volumes().add_handlers(volume_changed, [=](const auto&, const auto& v) { volume_changed(v); },
                                                       nullptr);
  // A pod that finishes or goes may free its claims.
  auto pod_changed = [this](const auto& pod) {
    for (const auto& claim : vol::claims_of_volumes(pod->spec().volumes()))
      enqueue(kClaimPrefix + pod->metadata().namespace_() + "/" + claim);
  };
  context_.informers.pods().add_handlers(nullptr, [=](const auto&, const auto& p) { pod_changed(p); }, pod_changed);
}

std::vector<std::string> VolumeProtectionController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& c : context_.informers.persistent_volume_claims().list()) keys.push_back(kClaimPrefix + key_of(*c));
  for (const auto& v : context_.informers.persistent_volumes().list()) keys.push_back(kVolumePrefix + v->metadata().name());
  return keys;
}

bool VolumeProtectionController::claim_in_use(const core::PersistentVolumeClaim& claim) {
  for (const auto& pod : context_.informers.pods().by_index(kByClaim, key_of(claim)))
    // A pod being deleted may still run and write: only a finished or removed pod lets go.
    if (pod->status().phase() != "Succeeded" && pod->status().phase() != "Failed") return true;
  return false;
}

template <class T>
void VolumeProtectionController::drop_finalizer(const T& object, const char* finalizer) {
  T next = object;
  auto* finalizers = next.mutable_metadata()->mutable_finalizers();
  finalizers->erase(std::remove(finalizers->begin(), finalizers->end(), finalizer), finalizers->end());
  try {
    context_.api.update(next);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404 && e.status().code != 409) throw;
  }
}

bool VolumeProtectionController::sync(const std::string& key) {
  if (key.rfind(kVolumePrefix, 0) == 0) {
    auto volume = context_.informers.persistent_volumes().get("", key.substr(std::string(kVolumePrefix).size()));
    if (volume && being_deleted_with(volume->metadata(), vol::kVolumeProtection) && volume->status().phase() != "Bound")
      drop_finalizer(*volume, vol::kVolumeProtection);
    return true;
  }
  auto [ns, name] = split_key(key.substr(std::string(kClaimPrefix).size()));
  auto claim = context_.informers.persistent_volume_claims().get(ns, name);
  if (claim && being_deleted_with(claim->metadata(), vol::kClaimProtection) && !claim_in_use(*claim))
    drop_finalizer(*claim, vol::kClaimProtection);
  return true;
}

}  // namespace skiff::controllers
