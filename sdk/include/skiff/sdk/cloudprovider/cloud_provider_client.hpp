// The caller's side of the cloud provider contract: typed calls to whichever provider serves
// skiff.<c>.cloudprovider.<op>. The serving side is serve_cloud_provider.hpp.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "skiff/cloudprovider/v1/cloudprovider.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::sdk {

class CloudProviderClient {
 public:
  CloudProviderClient(Bus& bus, const Subjects& subjects, std::string cluster_name,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Throws Error(503) when no provider answers.
  cloudprovider::v1::CapabilitiesResponse capabilities() const;

  bool instance_exists(const api::core::v1::Node& node) const;
  bool instance_shutdown(const api::core::v1::Node& node) const;
  cloudprovider::v1::InstanceMetadataResponse instance_metadata(const api::core::v1::Node& node) const;

  cloudprovider::v1::GetLoadBalancerResponse get_load_balancer(const api::core::v1::Service& service) const;
  api::core::v1::LoadBalancerStatus ensure_load_balancer(const api::core::v1::Service& service,
                                                         const std::vector<api::core::v1::Node>& nodes) const;
  void update_load_balancer(const api::core::v1::Service& service, const std::vector<api::core::v1::Node>& nodes) const;
  void ensure_load_balancer_deleted(const api::core::v1::Service& service) const;

  std::vector<cloudprovider::v1::Route> list_routes() const;
  void create_route(const std::string& name_hint, const cloudprovider::v1::Route& route) const;
  void delete_route(const cloudprovider::v1::Route& route) const;

  const std::string& cluster_name() const { return cluster_name_; }

 private:
  template <class Response, class RequestMessage>
  Response call(const char* op, const RequestMessage& request) const;
  cloudprovider::v1::LoadBalancerRequest lb_request(const api::core::v1::Service& service,
                                                   const std::vector<api::core::v1::Node>& nodes) const;

  Bus& bus_;
  Subjects subjects_;
  std::string cluster_name_;
  std::chrono::milliseconds timeout_;
};

}  // namespace skiff::sdk
