// The cloud-local provider: InstancesV2 (always), LoadBalancer (always: a pool or the nodes'
// addresses) and Routes (when configured), behind the SDK's CloudProvider contract.
#pragma once

#include <memory>

#include "local_instances.hpp"
#include "local_load_balancers.hpp"
#include "local_routes.hpp"
#include "skiff/sdk/cloudprovider/cloud_provider.hpp"

namespace skiff::cloud_local {

class LocalCloudProvider final : public sdk::CloudProvider {
 public:
  // routes: null when another component (the network plugin) owns the routes.
  LocalCloudProvider(InstanceSettings instances, KernelProbe probe, std::unique_ptr<LocalLoadBalancers> load_balancers,
                     std::unique_ptr<LocalRoutes> routes)
      : instances_(std::move(instances)),
        probe_(std::move(probe)),
        load_balancers_(std::move(load_balancers)),
        routes_(std::move(routes)) {}

  cloudprovider::v1::CapabilitiesResponse capabilities() override;

  bool instance_exists(const api::core::v1::Node& node) override { return probe_.exists(node); }
  // Its skiffd stopped cleanly (announced on the bus) and has not answered since.
  bool instance_shutdown(const api::core::v1::Node& node) override { return probe_.shut_down(node); }
  cloudprovider::v1::InstanceMetadataResponse instance_metadata(const api::core::v1::Node& node) override {
    return cloud_local::instance_metadata(node, instances_);
  }

  cloudprovider::v1::GetLoadBalancerResponse get_load_balancer(
      const cloudprovider::v1::LoadBalancerRequest& request) override {
    return load_balancers_->get(request);
  }
  api::core::v1::LoadBalancerStatus ensure_load_balancer(const cloudprovider::v1::LoadBalancerRequest& request) override {
    return load_balancers_->ensure(request);
  }
  void update_load_balancer(const cloudprovider::v1::LoadBalancerRequest& request) override {
    load_balancers_->ensure(request);
  }
  void ensure_load_balancer_deleted(const cloudprovider::v1::LoadBalancerRequest& request) override {
    load_balancers_->ensure_deleted(request);
  }

  std::vector<cloudprovider::v1::Route> list_routes(const std::string& cluster_name) override;
  void create_route(const std::string& cluster_name, const std::string& name_hint,
                    const cloudprovider::v1::Route& route) override;
  void delete_route(const std::string& cluster_name, const cloudprovider::v1::Route& route) override;

 private:
  InstanceSettings instances_;
  KernelProbe probe_;
  std::unique_ptr<LocalLoadBalancers> load_balancers_;
  std::unique_ptr<LocalRoutes> routes_;
};

}  // namespace skiff::cloud_local
