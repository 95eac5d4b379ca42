// The route controller: when the provider has Routes, every reconcile period (and when nodes
// come or go) one route per node podCIDR is made to that node, and routes to nodes that are
// gone (or to CIDRs they no longer have) are deleted.
#pragma once

#include <chrono>

#include "controller.hpp"
#include "provider_handle.hpp"

namespace skiff::cloud_controllers {

class RouteController final : public controllers::Controller {
 public:
  RouteController(controllers::ControllerContext& context, ProviderHandle& provider, std::chrono::milliseconds period)
      : Controller(context, "route-controller"), provider_(provider), period_(period) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override { return {kKey}; }

 private:
  static constexpr const char* kKey = "routes";  // one reconcile for all nodes
  ProviderHandle& provider_;
  std::chrono::milliseconds period_;
};

}  // namespace skiff::cloud_controllers
