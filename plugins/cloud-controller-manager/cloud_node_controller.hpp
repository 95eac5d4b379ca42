// The cloud node controller: a node that registered with the uninitialized taint (its kubelet
// runs with cloud_provider: external) gets its providerID, zone, region and instance-type
// from the provider, and then loses the taint, so that only then can pods land on it.
#pragma once

#include "controller.hpp"
#include "provider_handle.hpp"

namespace skiff::cloud_controllers {

class CloudNodeController final : public controllers::Controller {
 public:
  CloudNodeController(controllers::ControllerContext& context, ProviderHandle& provider)
      : Controller(context, "cloud-node-controller"), provider_(provider) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  ProviderHandle& provider_;
};

}  // namespace skiff::cloud_controllers
