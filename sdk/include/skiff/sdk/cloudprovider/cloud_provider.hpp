// The cloud provider contract (skiff.cloudprovider.v1): what a provider plugin implements.
// serve_cloud_provider() (serve_cloud_provider.hpp) puts it on the bus; CloudProviderClient
// (cloud_provider_client.hpp) is the cloud-controller-manager's side. An implementation holds
// only its own logic: no subjects, no parsing, no threads.
#pragma once

#include <string>
#include <vector>

#include "skiff/cloudprovider/v1/cloudprovider.pb.h"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

inline constexpr const char* kCloudProviderCapability = capability::kCloudProvider;

// The status of an op whose part the provider lacks (capabilities() says it has none).
Status not_implemented(const std::string& op);

// One cluster's infrastructure, after Kubernetes' cloudprovider.Interface: InstancesV2,
// LoadBalancer and Routes, each optional. Methods are called concurrently from the server's
// workers; throw Error with the status the caller should see. The defaults throw 501, so a
// provider overrides only the parts capabilities() claims.
class CloudProvider {
 public:
  virtual ~CloudProvider() = default;

  virtual cloudprovider::v1::CapabilitiesResponse capabilities() = 0;

  // InstancesV2: the machine behind a Node, found from the Node's own data.
  virtual bool instance_exists(const api::core::v1::Node& node);
  virtual bool instance_shutdown(const api::core::v1::Node& node);
  virtual cloudprovider::v1::InstanceMetadataResponse instance_metadata(const api::core::v1::Node& node);

  // LoadBalancer: one per Service of type LoadBalancer. ensure creates or updates it and
  // returns the status to write; a Service that cannot have one now (its IP taken, no IP
  // left) is Error(409) whose message is for the Service's Event. ensure_deleted of one that
  // does not exist is not an error.
  virtual cloudprovider::v1::GetLoadBalancerResponse get_load_balancer(const cloudprovider::v1::LoadBalancerRequest& request);
  virtual api::core::v1::LoadBalancerStatus ensure_load_balancer(const cloudprovider::v1::LoadBalancerRequest& request);
  virtual void update_load_balancer(const cloudprovider::v1::LoadBalancerRequest& request);
  virtual void ensure_load_balancer_deleted(const cloudprovider::v1::LoadBalancerRequest& request);

  // Routes: a node's pod subnet routed to it. delete of a route that does not exist is not an error.
  virtual std::vector<cloudprovider::v1::Route> list_routes(const std::string& cluster_name);
  virtual void create_route(const std::string& cluster_name, const std::string& name_hint,
                            const cloudprovider::v1::Route& route);
  virtual void delete_route(const std::string& cluster_name, const cloudprovider::v1::Route& route);
};

}  // namespace skiff::sdk
