// The binder: claims to volumes, provisioning hand-off, phases and reclaim.
#include "persistent_volume_controller.hpp"

#include <google/protobuf/util/message_differencer.h>

#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/storage/volumes.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {
namespace {

namespace vol = sdk::storage;
const char* const kClaimPrefix = "claim:";
const char* const kVolumePrefix = "volume:";
constexpr std::chrono::seconds kUnboundResync{10};

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

bool has_annotation(const google::protobuf::Message& object, const char* key) {
  return sdk::meta_of(object).annotations().count(key) > 0;
}

// Conflicts and vanished objects are settled by the next event on them.
bool settled_elsewhere(const sdk::Error& e) { return e.status().code == 409 || e.status().code == 404; }

}  // namespace

void PersistentVolumeController::register_handlers() {
  auto claim_key = [](const auto& c) { return kClaimPrefix + key_of(*c); };
  auto volume_key = [](const auto& v) { return kVolumePrefix + v->metadata().name(); };
  context_.informers.persistent_volume_claims().add_handlers(
      [=, this](const auto& c) { enqueue(claim_key(c)); }, [=, this](const auto&, const auto& c) { enqueue(claim_key(c)); },
      [this](const auto& c) {
        // The volume it held is released now.
        if (!c->spec().volume_name().empty()) enqueue(kVolumePrefix + c->spec().volume_name());
        std::lock_guard lock(mutex_);
        told_.erase(c->metadata().uid());
      });
  context_.informers.persistent_volumes().add_handlers(
      [=, this](const auto& v) {
        enqueue(volume_key(v));
        // A new volume may satisfy a waiting claim.
        for (const auto& c : context_.informers.persistent_volume_claims().list())
          if (c->spec().volume_name().empty()) enqueue(claim_key(c));
      },
      [=, this](const auto&, const auto& v) {
        enqueue(volume_key(v));
        if (v->spec().has_claim_ref())
          enqueue(std::string(kClaimPrefix) + v->spec().claim_ref().namespace_() + "/" + v->spec().claim_ref().name());
      },
      nullptr);
  context_.informers.storage_classes();
  context_.informers.nodes();
}

std::vector<std::string> PersistentVolumeController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& v : context_.informers.persistent_volumes().list()) keys.push_back(kVolumePrefix + v->metadata().name());
  for (const auto& c : context_.informers.persistent_volume_claims().list()) keys.push_back(kClaimPrefix + key_of(*c));
  return keys;
}

bool PersistentVolumeController::sync(const std::string& key) {
  if (starts_with(key, kVolumePrefix)) {
    auto volume = context_.informers.persistent_volumes().get("", key.substr(std::string(kVolumePrefix).size()));
    if (volume) sync_volume(*volume);
    return true;
  }
  auto [ns, name] = split_key(key.substr(std::string(kClaimPrefix).size()));
  auto claim = context_.informers.persistent_volume_claims().get(ns, name);
  if (claim && claim->metadata().deletion_timestamp().empty()) sync_claim(*claim);
  return true;
}

std::vector<const core::PersistentVolume*> PersistentVolumeController::volumes(
    std::vector<std::shared_ptr<const core::PersistentVolume>>& keep) {
  keep = context_.informers.persistent_volumes().list();
  std::vector<const core::PersistentVolume*> out;
  for (const auto& v : keep) out.push_back(v.get());
  return out;
}

void PersistentVolumeController::sync_claim(const core::PersistentVolumeClaim& claim) {
  try {
    if (claim.spec().volume_name().empty()) sync_unbound_claim(claim);
    else sync_bound_claim(claim);
  } catch (const sdk::Error& e) {
    // A conflict on the volume (its status written meanwhile) brings no event on the claim:
    // the throw retries the claim with back-off. A vanished object is settled.
    if (e.status().code != 404) throw;
  }
}

void PersistentVolumeController::sync_unbound_claim(const core::PersistentVolumeClaim& claim) {
  std::vector<std::shared_ptr<const core::PersistentVolume>> keep;
  auto all = volumes(keep);
  std::string class_name = vol::claim_class(claim);
  std::shared_ptr<const api::storage::v1::StorageClass> storage_class;
  if (!class_name.empty()) storage_class = context_.informers.storage_classes().get("", class_name);
  bool delayed = storage_class && storage_class->volume_binding_mode() == "WaitForFirstConsumer";
  const auto& annotations = claim.metadata().annotations();
  auto selected = annotations.find(vol::kSelectedNode);
  std::optional<vol::NodeView> node;
  if (delayed) {
    // Only the scheduler's choice of node decides which volume fits.
    if (selected == annotations.end()) {
      set_claim_phase(claim, "Pending", nullptr);
      tell_once(claim, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
      return;
    }
    node = vol::NodeView{selected->second, {}};
    if (auto n = context_.informers.nodes().get("", selected->second))
      node->labels = {n->metadata().labels().begin(), n->metadata().labels().end()};
  }
  if (const auto* volume = vol::find_matching_volume(claim, all, node)) {
    bind(claim, *volume);
    return;
  }
  // The volume informer may lag the claim informer (a volume created just before the claim
  // is not seen yet, and its add event found no claim to wake): look again later, as
  // Kubernetes' controller does on its periodic resync. Events stay one per reason.
  enqueue_after(kClaimPrefix + key_of(claim), kUnboundResync);
  set_claim_phase(claim, "Pending", nullptr);
  if (class_name.empty()) {
    tell_once(claim, "Warning", "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
  } else if (!storage_class) {
    tell_once(claim, "Warning", "ProvisioningFailed", "storageclass.storage.k8s.io \"" + class_name + "\" not found");
  } else {
    hand_to_provisioner(claim, storage_class->provisioner());
  }
}

void PersistentVolumeController::hand_to_provisioner(const core::PersistentVolumeClaim& claim,
                                                     const std::string& provisioner) {
  auto current = claim.metadata().annotations().find(vol::kStorageProvisioner);
  if (current == claim.metadata().annotations().end() || current->second != provisioner) {
    core::PersistentVolumeClaim next = claim;
    (*next.mutable_metadata()->mutable_annotations())[vol::kStorageProvisioner] = provisioner;
    (*next.mutable_metadata()->mutable_annotations())[vol::kBetaStorageProvisioner] = provisioner;
    context_.api.update(next);
  }
  tell_once(claim, "Normal", "ExternalProvisioning",
            "Waiting for a volume to be created either by the external provisioner '" + provisioner +
                "' or manually by the system administrator. If volume creation is delayed, please verify that the "
                "provisioner is running and correctly registered.");
}

// The volume first (claimRef), then the claim (volumeName), then both statuses: a crash in
// between leaves a volume pre-bound to the claim, which the next sync completes.
void PersistentVolumeController::bind(const core::PersistentVolumeClaim& claim, const core::PersistentVolume& volume) {
  core::PersistentVolume bound_volume = volume;
  if (!volume.spec().has_claim_ref() || volume.spec().claim_ref().uid().empty()) {
    auto* ref = bound_volume.mutable_spec()->mutable_claim_ref();
    ref->set_kind("PersistentVolumeClaim");
    ref->set_api_version("v1");
    ref->set_namespace_(claim.metadata().namespace_());
    ref->set_name(claim.metadata().name());
    ref->set_uid(claim.metadata().uid());
    ref->set_resource_version(claim.metadata().resource_version());
    (*bound_volume.mutable_metadata()->mutable_annotations())[vol::kBoundByController] = "yes";
    bound_volume = context_.api.update(bound_volume);
  }
  set_volume_phase(bound_volume, "Bound");
  core::PersistentVolumeClaim bound_claim = claim;
  bound_claim.mutable_spec()->set_volume_name(volume.metadata().name());
  (*bound_claim.mutable_metadata()->mutable_annotations())[vol::kBindCompleted] = "yes";
  (*bound_claim.mutable_metadata()->mutable_annotations())[vol::kBoundByController] = "yes";
  bound_claim = context_.api.update(bound_claim);
  set_claim_phase(bound_claim, "Bound", &bound_volume);
}

void PersistentVolumeController::sync_bound_claim(const core::PersistentVolumeClaim& claim) {
  auto volume = context_.informers.persistent_volumes().get("", claim.spec().volume_name());
  if (!volume) {
    if (claim.status().phase() == "Bound") {
      set_claim_phase(claim, "Lost", nullptr);
      events_.record(claim, "Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    }
    return;
  }
  const auto& ref = volume->spec().claim_ref();
  bool ours = volume->spec().has_claim_ref() && ref.namespace_() == claim.metadata().namespace_() &&
              ref.name() == claim.metadata().name() && (ref.uid().empty() || ref.uid() == claim.metadata().uid());
  if (!volume->spec().has_claim_ref() || (ours && ref.uid().empty())) {
    bind(claim, *volume);  // the user named the volume: complete the binding from the claim's side
  } else if (ours) {
    if (volume->status().phase() != "Bound") set_volume_phase(*volume, "Bound");
    set_claim_phase(claim, "Bound", volume.get());
  } else {
    set_claim_phase(claim, "Pending", nullptr);
    tell_once(claim, "Warning", "FailedBinding", "volume \"" + volume->metadata().name() + "\" already bound to a different claim.");
  }
}

void PersistentVolumeController::sync_volume(const core::PersistentVolume& volume) {
  // A volume being deleted still moves to Released, which lets its protection finalizer go.
  bool deleting = !volume.metadata().deletion_timestamp().empty();
  try {
    if (!volume.spec().has_claim_ref()) {
      if (volume.status().phase() != "Available") set_volume_phase(volume, "Available");
      return;
    }
    const auto& ref = volume.spec().claim_ref();
    auto claim = context_.informers.persistent_volume_claims().get(ref.namespace_(), ref.name());
    bool claim_gone = !claim || (!ref.uid().empty() && claim->metadata().uid() != ref.uid());
    if (!claim_gone) {
      // Pre-bound, or bound from the volume's side: the claim's sync completes it.
      if (claim->spec().volume_name() != volume.metadata().name()) enqueue(kClaimPrefix + key_of(*claim));
      else if (volume.status().phase() != "Bound") set_volume_phase(volume, "Bound");
      return;
    }
    if (ref.uid().empty()) return;  // pre-bound to a claim not made yet
    if (volume.status().phase() != "Released" && volume.status().phase() != "Failed") set_volume_phase(volume, "Released");
    if (!deleting && volume.spec().persistent_volume_reclaim_policy() == "Delete" &&
        !has_annotation(volume, vol::kProvisionedBy) &&
        volume.status().phase() != "Failed")
      set_volume_phase(volume, "Failed", "VolumeFailedDelete",
                       "no provisioner made this volume (no " + std::string(vol::kProvisionedBy) +
                           " annotation), so nothing can delete it; delete it by hand");
  } catch (const sdk::Error& e) {
    if (!settled_elsewhere(e)) throw;
  }
}

void PersistentVolumeController::set_claim_phase(const core::PersistentVolumeClaim& claim, const std::string& phase,
                                                 const core::PersistentVolume* volume) {
  core::PersistentVolumeClaim next = claim;
  auto* status = next.mutable_status();
  status->set_phase(phase);
  if (volume) {
    *status->mutable_access_modes() = volume->spec().access_modes();
    *status->mutable_capacity() = volume->spec().capacity();
  } else if (phase != "Bound") {
    status->clear_access_modes();
    status->clear_capacity();
  }
  if (google::protobuf::util::MessageDifferencer::Equals(next.status(), claim.status())) return;
  context_.api.update(next, "status");
}

void PersistentVolumeController::set_volume_phase(const core::PersistentVolume& volume, const std::string& phase,
                                                  const std::string& reason, const std::string& message) {
  core::PersistentVolume next = volume;
  auto* status = next.mutable_status();
  if (status->phase() == phase && status->reason() == reason && status->message() == message) return;
  if (status->phase() != phase) status->set_last_phase_transition_time(sdk::now_rfc3339());
  status->set_phase(phase);
  status->set_reason(reason);
  status->set_message(message);
  context_.api.update(next, "status");
}

void PersistentVolumeController::tell_once(const core::PersistentVolumeClaim& claim, const std::string& type,
                                           const std::string& reason, const std::string& message) {
  {
    std::lock_guard lock(mutex_);
    auto& told = told_[claim.metadata().uid()];
    if (told == reason + message) return;
    told = reason + message;
  }
  events_.record(claim, type, reason, message);
}

}  // namespace skiff::controllers
