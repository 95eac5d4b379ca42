// Kubernetes' PersistentVolume controller: binds each claim to a volume that satisfies it
// (the smallest one, or the one it or the volume names), hands claims no volume satisfies to
// their StorageClass's provisioner (annotation volume.kubernetes.io/storage-provisioner; for
// WaitForFirstConsumer only once the scheduler chose a node), keeps the phases of both
// (claims Pending/Bound/Lost, volumes Available/Bound/Released/Failed), and reclaims volumes
// whose claim is gone: Retain keeps them Released, Delete leaves them to the provisioner that
// made them. Events say why a claim waits, once per reason.
#pragma once

#include <map>
#include <mutex>

#include "controller.hpp"

namespace skiff::controllers {

class PersistentVolumeController final : public Controller {
 public:
  explicit PersistentVolumeController(ControllerContext& context)
      : Controller(context, "persistentvolume-binder-controller") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  void sync_claim(const core::PersistentVolumeClaim& claim);
  void sync_volume(const core::PersistentVolume& volume);
  void sync_unbound_claim(const core::PersistentVolumeClaim& claim);
  void sync_bound_claim(const core::PersistentVolumeClaim& claim);
  void bind(const core::PersistentVolumeClaim& claim, const core::PersistentVolume& volume);
  void hand_to_provisioner(const core::PersistentVolumeClaim& claim, const std::string& provisioner);
  void set_claim_phase(const core::PersistentVolumeClaim& claim, const std::string& phase, const core::PersistentVolume* volume);
  void set_volume_phase(const core::PersistentVolume& volume, const std::string& phase, const std::string& reason = "",
                        const std::string& message = "");
  // An event on the claim, unless the same reason was already told for it.
  void tell_once(const core::PersistentVolumeClaim& claim, const std::string& type, const std::string& reason,
                 const std::string& message);
  std::vector<const core::PersistentVolume*> volumes(std::vector<std::shared_ptr<const core::PersistentVolume>>& keep);

  std::mutex mutex_;
  std::map<std::string, std::string> told_;  // claim uid → the last reason an event gave
};

}  // namespace skiff::controllers
