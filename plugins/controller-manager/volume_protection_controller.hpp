// Kubernetes' pvc-protection and pv-protection controllers: a claim being deleted keeps its
// kubernetes.io/pvc-protection finalizer while a pod that has not finished uses it; a volume
// being deleted keeps kubernetes.io/pv-protection while it is Bound. Then the finalizer goes
// and the API server removes the object.
#pragma once

#include "controller.hpp"

namespace skiff::controllers {

class VolumeProtectionController final : public Controller {
 public:
  explicit VolumeProtectionController(ControllerContext& context) : Controller(context, "volume-protection-controller") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  bool claim_in_use(const core::PersistentVolumeClaim& claim);
  template <class T>
  void drop_finalizer(const T& object, const char* finalizer);
};

}  // namespace skiff::controllers
