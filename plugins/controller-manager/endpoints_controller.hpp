// Keeps an Endpoints object for every Service with a selector: the IPs of the pods it
// selects (ready ones in addresses, others in notReadyAddresses) and the ports, a named
// targetPort resolved against each pod's container ports.
#pragma once

#include "controller.hpp"

namespace skiff::controllers {

class EndpointsController final : public Controller {
 public:
  explicit EndpointsController(ControllerContext& context) : Controller(context, "endpoint-controller") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  void on_pod(const std::shared_ptr<const core::Pod>& pod);
};

// The subsets for these pods, as Kubernetes packs them: ports offered by the same addresses
// share a subset; a pod lacking a named port is left out of that port only; a headless
// Service without ports lists bare addresses; publishNotReadyAddresses makes every address ready.
std::vector<core::EndpointSubset> endpoint_subsets(const core::Service& service,
                                                   const std::vector<std::shared_ptr<const core::Pod>>& pods);

}  // namespace skiff::controllers
