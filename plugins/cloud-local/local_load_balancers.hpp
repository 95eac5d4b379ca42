// LoadBalancer for machines you run yourself, in one of two modes: a pool (each Service an
// address of its own, announced on the LAN from this node when an interface is configured)
// or, with no pool, the nodes' own addresses shared by all, ports first come first served
// (k3s's default). What is held is rebuilt from the Services' statuses on first use, so a
// restart never moves an address to another Service.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "address_announcer.hpp"
#include "pool_assignments.hpp"
#include "port_claims.hpp"
#include "skiff/cloudprovider/v1/cloudprovider.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace skiff::cloud_local {

// The annotation that asks for an address, as spec.loadBalancerIP (deprecated upstream) does.
inline constexpr const char* kRequestedIpAnnotation = "skiff.io/load-balancer-ip";

class LocalLoadBalancers {
 public:
  // pool: nullopt for the nodes' addresses; announcer: null to announce nothing.
  LocalLoadBalancers(const sdk::ApiClient& api, std::optional<AddressPool> pool,
                     std::unique_ptr<AddressAnnouncer> announcer);

  cloudprovider::v1::GetLoadBalancerResponse get(const cloudprovider::v1::LoadBalancerRequest& request);
  // Error(409) with the Event's message when the Service cannot have its load balancer now.
  api::core::v1::LoadBalancerStatus ensure(const cloudprovider::v1::LoadBalancerRequest& request);
  void ensure_deleted(const cloudprovider::v1::LoadBalancerRequest& request);

 private:
  void restore_once();
  void restore(const api::core::v1::Service& service);
  api::core::v1::LoadBalancerStatus ensure_from_pool(const api::core::v1::Service& service);
  api::core::v1::LoadBalancerStatus ensure_on_nodes(const cloudprovider::v1::LoadBalancerRequest& request);

  const sdk::ApiClient& api_;
  std::optional<PoolAssignments> pool_;
  PortClaims ports_;
  std::map<std::string, api::core::v1::LoadBalancerStatus> on_nodes_;  // what each was given, no pool
  std::unique_ptr<AddressAnnouncer> announcer_;
  std::mutex mutex_;
  bool restored_ = false;
};

// spec.loadBalancerIP, else the annotation; nullopt when neither; Error(422) when not an address.
std::optional<std::uint32_t> requested_address(const api::core::v1::Service& service);

}  // namespace skiff::cloud_local
