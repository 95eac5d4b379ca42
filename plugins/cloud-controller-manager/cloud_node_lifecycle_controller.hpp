// The cloud node lifecycle controller: every monitor period, each node that is not Ready is
// asked about at the provider — a node whose machine no longer exists is deleted (its pods
// then go with it, see the controller-manager's podgc), one whose machine is shut down gets the
// shutdown taint, which goes again once the machine runs or the node is Ready.
#pragma once

#include <chrono>

#include "controller.hpp"
#include "provider_handle.hpp"

namespace skiff::cloud_controllers {

class CloudNodeLifecycleController final : public controllers::Controller {
 public:
  CloudNodeLifecycleController(controllers::ControllerContext& context, ProviderHandle& provider,
                               std::chrono::milliseconds monitor_period)
      : Controller(context, "cloud-node-lifecycle-controller"), provider_(provider), monitor_period_(monitor_period) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  // False when the node was deleted.
  bool check(const api::core::v1::Node& node);

  ProviderHandle& provider_;
  std::chrono::milliseconds monitor_period_;
};

}  // namespace skiff::cloud_controllers
