// The service controller: a LoadBalancer Service gets the cleanup finalizer, then its load
// balancer from the provider, whose ingress goes into status.loadBalancer. A Service whose
// load balancer cannot be made now (its IP taken, the pool exhausted) says so in one Event and
// waits, without retrying in a loop, until an address is released. Deleted, or no longer of
// type LoadBalancer: the load balancer goes, then the status ingress and the finalizer.
#pragma once

#include "controller.hpp"
#include "provider_handle.hpp"

namespace skiff::cloud_controllers {

class ServiceController final : public controllers::Controller {
 public:
  ServiceController(controllers::ControllerContext& context, ProviderHandle& provider)
      : Controller(context, "service-controller"), provider_(provider) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  bool ensure(const controllers::core::Service& service);
  bool clean_up(const controllers::core::Service& service);
  // Every LoadBalancer Service still waiting for an address: one was just released.
  void enqueue_pending();
  void enqueue_load_balancers();

  ProviderHandle& provider_;
};

}  // namespace skiff::cloud_controllers
