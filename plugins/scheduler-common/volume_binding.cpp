// Filters nodes by where a pod's claims can have their volumes; records the choice on the claims.
#include "volume_binding.hpp"

#include "skiff/sdk/storage/volumes.hpp"

namespace skiff::scheduler {
namespace {

namespace core = api::core::v1;
namespace vol = sdk::storage;

std::map<std::string, std::string> labels_of(const sdk::scheduling::NodeInfo& node) {
  const auto& labels = node.node().metadata().labels();
  return {labels.begin(), labels.end()};
}

}  // namespace

VolumeBinding::VolumeBinding(sdk::Bus& bus, const sdk::Subjects& subjects, spdlog::logger* log,
                             std::function<void()> wake)
    : wake_(std::move(wake)),
      api_(bus, subjects),
      claims_(bus, subjects, sdk::api_source(bus, subjects), {}, log),
      volumes_(bus, subjects, sdk::api_source(bus, subjects), {}, log),
      classes_(bus, subjects, sdk::api_source(bus, subjects), {}, log) {}

VolumeBinding::~VolumeBinding() {
  claims_.stop();
  volumes_.stop();
  classes_.stop();
}

// Kubernetes' queueing hints for VolumeBinding: PVC add/update, PV add/update, StorageClass add.
// A deleted claim or volume never lets a pod fit, so deletions wake nobody.
void VolumeBinding::start() {
  if (wake_) {
    auto wake = [this](const auto&...) { wake_(); };
    claims_.add_handlers(wake, wake, nullptr);
    volumes_.add_handlers(wake, wake, nullptr);
    classes_.add_handlers(wake, nullptr, nullptr);
  }
  claims_.start();
  volumes_.start();
  classes_.start();
}

void VolumeBinding::prepare(const sdk::scheduling::PodInfo& pod, const sdk::scheduling::ClusterView&) {
  pod_claims_.clear();
  all_volumes_.clear();
  const auto& ns = pod.pod->metadata().namespace_();
  for (const auto& name : vol::claims_of_volumes(pod.pod->spec().volumes())) {
    ClaimState state{name, claims_.get(ns, name), nullptr, false, ""};
    if (state.claim && !state.claim->spec().volume_name().empty()) {
      state.volume = volumes_.get("", state.claim->spec().volume_name());
    } else if (state.claim) {
      auto storage_class = classes_.get("", vol::claim_class(*state.claim));
      state.delayed = storage_class && storage_class->volume_binding_mode() == "WaitForFirstConsumer";
      if (storage_class) state.provisioner = storage_class->provisioner();
    }
    pod_claims_.push_back(std::move(state));
  }
  if (!pod_claims_.empty()) all_volumes_ = volumes_.list();
}

// Kubernetes' reasons, so `kubectl describe pod` reads as it does there.
void VolumeBinding::filter(const sdk::scheduling::PodInfo&, const sdk::scheduling::NodeInfo& node,
                           std::vector<std::string>& reasons) const {
  for (const auto& state : pod_claims_) {
    if (!state.claim) {
      reasons.push_back("persistentvolumeclaim \"" + state.name + "\" not found");
      continue;
    }
    if (!state.claim->spec().volume_name().empty()) {
      if (state.volume && !vol::volume_fits_node(*state.volume, node.name(), labels_of(node)))
        reasons.push_back("node(s) had volume node affinity conflict");
      continue;
    }
    if (!state.delayed) {
      reasons.push_back("pod has unbound immediate PersistentVolumeClaims");
      continue;
    }
    if (!state.provisioner.empty() && node.label(vol::provisioner_node_label(state.provisioner))) continue;
    std::vector<const core::PersistentVolume*> candidates;
    for (const auto& v : all_volumes_) candidates.push_back(v.get());
    if (!vol::find_matching_volume(*state.claim, candidates, vol::NodeView{node.name(), labels_of(node)}))
      reasons.push_back("node(s) did not find available persistent volumes to bind");
  }
}

void VolumeBinding::pre_bind(const sdk::scheduling::PodInfo& pod, const std::string& node) {
  const auto& ns = pod.pod->metadata().namespace_();
  for (const auto& name : vol::claims_of_volumes(pod.pod->spec().volumes())) {
    auto claim = claims_.get(ns, name);
    if (!claim) throw sdk::Error(sdk::Status::Conflict("persistentvolumeclaim \"" + name + "\" not found"));
    if (!claim->spec().volume_name().empty()) continue;
    auto found = claim->metadata().annotations().find(vol::kSelectedNode);
    if (found != claim->metadata().annotations().end() && found->second == node) continue;
    core::PersistentVolumeClaim next = *claim;
    (*next.mutable_metadata()->mutable_annotations())[vol::kSelectedNode] = node;
    api_.update(next);  // a conflict fails this binding; the pod is scheduled again on fresh state
  }
}

}  // namespace skiff::scheduler
