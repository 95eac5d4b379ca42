// Provisions, re-mounts and reclaims this node's local volumes from the claims and volumes it watches.
#include "local_provisioner.hpp"

#include <spdlog/logger.h>

#include "loop_volume.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/storage/volumes.hpp"

namespace skiff::storage_local {
namespace {

namespace core = api::core::v1;
namespace storage = api::storage::v1;
namespace vol = sdk::storage;

// The node a volume of ours lives on, so each node's provisioner touches only its own.
const char* const kNodeAnnotation = "storage.skiff.io/node";
const char* const kSetupKey = "setup";
const char* const kClaimPrefix = "claim:";
const char* const kVolumePrefix = "volume:";

std::string annotation(const api::meta::v1::ObjectMeta& meta, const char* key) {
  auto found = meta.annotations().find(key);
  return found == meta.annotations().end() ? "" : found->second;
}

bool ignorable(const sdk::Error& e) { return e.status().code == 409 || e.status().code == 404; }

core::PersistentVolume volume_for(const core::PersistentVolumeClaim& claim, const storage::StorageClass& storage_class,
                                  const ProvisionerOptions& options, const std::string& name, const std::string& path) {
  core::PersistentVolume pv;
  pv.mutable_metadata()->set_name(name);
  (*pv.mutable_metadata()->mutable_annotations())[vol::kProvisionedBy] = options.provisioner;
  (*pv.mutable_metadata()->mutable_annotations())[kNodeAnnotation] = options.node;
  auto& spec = *pv.mutable_spec();
  (*spec.mutable_capacity())["storage"] = sdk::format_bytes(usable_target(vol::requested_bytes(claim)));
  *spec.mutable_access_modes() = claim.spec().access_modes();
  auto* ref = spec.mutable_claim_ref();
  ref->set_kind("PersistentVolumeClaim");
  ref->set_api_version("v1");
  ref->set_namespace_(claim.metadata().namespace_());
  ref->set_name(claim.metadata().name());
  ref->set_uid(claim.metadata().uid());
  spec.set_persistent_volume_reclaim_policy(storage_class.has_reclaim_policy() ? storage_class.reclaim_policy() : "Delete");
  spec.set_storage_class_name(storage_class.metadata().name());
  spec.set_volume_mode("Filesystem");
  spec.mutable_local()->set_path(path);
  auto* requirement = spec.mutable_node_affinity()->mutable_required()->add_node_selector_terms()->add_match_expressions();
  requirement->set_key(vol::kHostnameLabel);
  requirement->set_operator_("In");
  requirement->add_values(options.node);
  return pv;
}

}  // namespace

LocalProvisioner::LocalProvisioner(sdk::Bus& bus, const sdk::Subjects& subjects, ProvisionerOptions options,
                                   spdlog::logger& log)
    : api_(bus, subjects),
      options_(std::move(options)),
      log_(log),
      host_(options_.mount_namespace),
      events_(api_, {"skiff.io/local-storage_" + options_.node, options_.node}, &log),
      claims_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      volumes_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      classes_(bus, subjects, sdk::api_source(bus, subjects), {}, &log) {}

LocalProvisioner::~LocalProvisioner() { stop(); }

void LocalProvisioner::start() {
  auto claim_key = [this](const auto& c) { queue_.add(kClaimPrefix + c->metadata().namespace_() + "/" + c->metadata().name()); };
  claims_.add_handlers(claim_key, [=](const auto&, const auto& c) { claim_key(c); }, nullptr);
  auto volume_key = [this](const auto& v) { queue_.add(kVolumePrefix + v->metadata().name()); };
  volumes_.add_handlers(volume_key, [=](const auto&, const auto& v) { volume_key(v); }, nullptr);
  classes_.add_handlers([this](const auto&) { queue_.add(kSetupKey); }, nullptr, [this](const auto&) { queue_.add(kSetupKey); });
  claims_.start();
  volumes_.start();
  classes_.start();
  worker_ = std::thread([this] {
    if (!claims_.wait_for_sync(std::chrono::minutes(5)) || !volumes_.wait_for_sync(std::chrono::minutes(5)) ||
        !classes_.wait_for_sync(std::chrono::minutes(5)))
      return;
    remount_volumes();
    queue_.add(kSetupKey);
    for (const auto& c : claims_.list()) queue_.add(kClaimPrefix + c->metadata().namespace_() + "/" + c->metadata().name());
    for (const auto& v : volumes_.list()) queue_.add(kVolumePrefix + v->metadata().name());
    // One worker: volumes of one node are made one at a time, which also keeps mkfs off the CPU's back.
    queue_.run(1, [this](const std::string& key) { return sync(key); }, 1 << 20);
  });
}

void LocalProvisioner::stop() {
  queue_.shut_down();
  if (worker_.joinable()) worker_.join();
  queue_.stop();
  claims_.stop();
  volumes_.stop();
  classes_.stop();
}

bool LocalProvisioner::sync(const std::string& key) {
  try {
    if (key == kSetupKey) {
      ensure_default_class();
      label_node();
    } else if (key.rfind(kVolumePrefix, 0) == 0) {
      if (auto v = volumes_.get("", key.substr(std::string(kVolumePrefix).size()))) sync_volume(*v);
    } else {
      auto rest = key.substr(std::string(kClaimPrefix).size());
      auto slash = rest.find('/');
      if (auto c = claims_.get(rest.substr(0, slash), rest.substr(slash + 1))) sync_claim(*c);
    }
    return true;
  } catch (const sdk::Error& e) {
    if (ignorable(e)) return true;  // the next event on the object settles it
    log_.warn("storage-local: {}: {} (retrying)", key, e.what());
    return false;
  } catch (const std::exception& e) {
    log_.warn("storage-local: {}: {} (retrying)", key, e.what());
    return false;
  }
}

void LocalProvisioner::sync_claim(const core::PersistentVolumeClaim& claim) {
  if (!claim.metadata().deletion_timestamp().empty() || !claim.spec().volume_name().empty()) return;
  if (annotation(claim.metadata(), vol::kStorageProvisioner) != options_.provisioner) return;
  auto storage_class = classes_.get("", vol::claim_class(claim));
  if (!storage_class || storage_class->provisioner() != options_.provisioner) return;
  std::string selected = annotation(claim.metadata(), vol::kSelectedNode);
  if (selected.empty()) {
    if (storage_class->volume_binding_mode() == "WaitForFirstConsumer") return;  // the scheduler picks
    // Immediate: race the other nodes for the claim; the update carries the resourceVersion
    // we saw, so only the first writer wins (the others get 409 and see its choice).
    core::PersistentVolumeClaim next = claim;
    (*next.mutable_metadata()->mutable_annotations())[vol::kSelectedNode] = options_.node;
    api_.update(next);
    return;
  }
  if (selected == options_.node) provision(claim, *storage_class);
}

void LocalProvisioner::provision(const core::PersistentVolumeClaim& claim, const storage::StorageClass& storage_class) {
  std::string name = "pvc-" + claim.metadata().uid();
  if (volumes_.get("", name)) return;
  auto paths = LoopVolumePaths::of(options_.directory, name);
  try {
    std::int64_t usable = create_loop_volume(host_, paths, vol::requested_bytes(claim));
    api_.create(volume_for(claim, storage_class, options_, name, paths.mount));
    log_.info("storage-local: volume {} for claim {}/{}: {} usable bytes at {}", name, claim.metadata().namespace_(),
              claim.metadata().name(), usable, paths.mount);
    events_.record(claim, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume " + name);
  } catch (const sdk::Error& e) {
    if (e.status().code == 409) return;  // made already (a retry after the PV was written)
    events_.record(claim, "Warning", "ProvisioningFailed",
                   "failed to provision volume with StorageClass \"" + storage_class.metadata().name() + "\": " + e.what());
    throw;
  }
}

bool LocalProvisioner::is_ours_here(const core::PersistentVolume& volume) const {
  return annotation(volume.metadata(), vol::kProvisionedBy) == options_.provisioner &&
         annotation(volume.metadata(), kNodeAnnotation) == options_.node;
}

void LocalProvisioner::sync_volume(const core::PersistentVolume& volume) {
  if (!is_ours_here(volume)) return;
  if (volume.status().phase() != "Released" || volume.spec().persistent_volume_reclaim_policy() != "Delete") return;
  remove_loop_volume(host_, LoopVolumePaths::of(options_.directory, volume.metadata().name()));
  api_.erase<core::PersistentVolume>("", volume.metadata().name());
  log_.info("storage-local: volume {} released and deleted", volume.metadata().name());
}

void LocalProvisioner::remount_volumes() {
  for (const auto& volume : volumes_.list()) {
    if (!is_ours_here(*volume)) continue;
    try {
      if (!remount_loop_volume(host_, LoopVolumePaths::of(options_.directory, volume->metadata().name())))
        log_.warn("storage-local: volume {} has no image under {} any more", volume->metadata().name(), options_.directory);
    } catch (const std::exception& e) {
      log_.warn("storage-local: re-mounting volume {}: {}", volume->metadata().name(), e.what());
    }
  }
}

void LocalProvisioner::ensure_default_class() {
  if (options_.default_class.empty() || classes_.get("", options_.default_class)) return;
  storage::StorageClass sc;
  sc.mutable_metadata()->set_name(options_.default_class);
  (*sc.mutable_metadata()->mutable_annotations())[vol::kDefaultClassAnnotation] = "true";
  sc.set_provisioner(options_.provisioner);
  sc.set_reclaim_policy("Delete");
  sc.set_volume_binding_mode("WaitForFirstConsumer");
  try {
    api_.create(sc);
    log_.info("storage-local: made the default StorageClass {}", options_.default_class);
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;  // another node made it first
  }
}

// The node may register after this plugin starts: a 404 is retried with back-off.
void LocalProvisioner::label_node() {
  std::string label = vol::provisioner_node_label(options_.provisioner);
  core::Node node;
  try {
    node = api_.get<core::Node>("", options_.node);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
    queue_.add_after(kSetupKey, std::chrono::seconds(2));
    return;
  }
  if (node.metadata().labels().count(label)) return;
  api_.patch<core::Node>("", options_.node, "merge", "{\"metadata\":{\"labels\":{\"" + label + "\":\"true\"}}}");
}

}  // namespace skiff::storage_local
