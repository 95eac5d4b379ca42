// Kubernetes' VolumeBinding for the scheduler: a pod goes only where its claims' volumes can
// be. Bound claims: the volume's node affinity must allow the node. Unbound WaitForFirstConsumer
// claims: the node must run the class's provisioner (the node label its provisioner sets) or
// hold an available volume that satisfies the claim. Unbound Immediate claims keep the pod
// Pending until the volume controller binds them. Once a node is chosen, PreBind writes it on
// the unbound claims as volume.kubernetes.io/selected-node, before the pod is bound. A claim or
// volume added or changed (and a class added) may let a parked pod fit: `wake` is called then.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/scheduling/framework.hpp"

namespace skiff::scheduler {

class VolumeBinding final : public sdk::scheduling::Filter {
 public:
  // `wake`: moves the scheduler's parked pods back to its active queue (Scheduler::cluster_changed).
  VolumeBinding(sdk::Bus& bus, const sdk::Subjects& subjects, spdlog::logger* log, std::function<void()> wake = {});
  ~VolumeBinding() override;
  void start();

  std::string_view name() const override { return "VolumeBinding"; }
  void prepare(const sdk::scheduling::PodInfo& pod, const sdk::scheduling::ClusterView& cluster) override;
  void filter(const sdk::scheduling::PodInfo& pod, const sdk::scheduling::NodeInfo& node,
              std::vector<std::string>& reasons) const override;
  // filter() only reads what prepare() gathered.
  bool parallel_safe() const override { return true; }
  void pre_bind(const sdk::scheduling::PodInfo& pod, const std::string& node) override;

 private:
  using ClaimPtr = std::shared_ptr<const api::core::v1::PersistentVolumeClaim>;
  using VolumePtr = std::shared_ptr<const api::core::v1::PersistentVolume>;
  // One claim of the pod as prepare() found it.
  struct ClaimState {
    std::string name;
    ClaimPtr claim;        // nullptr: missing
    VolumePtr volume;      // its bound volume, if any
    bool delayed = false;  // unbound, class WaitForFirstConsumer
    std::string provisioner;
  };

  std::function<void()> wake_;
  sdk::ApiClient api_;
  sdk::Informer<api::core::v1::PersistentVolumeClaim> claims_;
  sdk::Informer<api::core::v1::PersistentVolume> volumes_;
  sdk::Informer<api::storage::v1::StorageClass> classes_;
  std::vector<ClaimState> pod_claims_;  // of the pod being scheduled (one at a time)
  std::vector<VolumePtr> all_volumes_;
};

}  // namespace skiff::scheduler
