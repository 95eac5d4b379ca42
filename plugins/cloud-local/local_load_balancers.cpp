// LocalLoadBalancers: every call under one lock (the bookkeeping is small and the calls are
// few); the first call lists the Services to learn what each holds.
#include "local_load_balancers.hpp"

#include "skiff/api/core/v1/service.pb.h"
#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::cloud_local {

namespace core = api::core::v1;
namespace cp = cloudprovider::v1;

namespace {

std::string key_of(const core::Service& service) {
  return service.metadata().namespace_() + "/" + service.metadata().name();
}

core::LoadBalancerStatus status_of(const std::vector<std::uint32_t>& addresses) {
  core::LoadBalancerStatus status;
  for (std::uint32_t address : addresses) status.add_ingress()->set_ip(sdk::format_ipv4(address));
  return status;
}

std::vector<PortClaim> ports_of(const core::Service& service) {
  std::vector<PortClaim> ports;
  for (const auto& port : service.spec().ports())
    ports.push_back({port.port(), port.protocol().empty() ? "TCP" : port.protocol()});
  return ports;
}

std::vector<std::uint32_t> internal_ips(const google::protobuf::RepeatedPtrField<core::Node>& nodes) {
  std::vector<std::uint32_t> ips;
  for (const auto& node : nodes)
    for (const auto& address : node.status().addresses())
      if (address.type() == "InternalIP")
        if (auto ip = sdk::parse_ipv4(address.address())) ips.push_back(*ip);
  return ips;
}

[[noreturn]] void refuse(const std::string& reason, const std::string& message) {
  throw sdk::Error(sdk::Status{409, reason, message});
}

}  // namespace

std::optional<std::uint32_t> requested_address(const core::Service& service) {
  std::string text = service.spec().load_balancer_ip();
  if (text.empty()) {
    const auto& annotations = service.metadata().annotations();
    if (auto it = annotations.find(kRequestedIpAnnotation); it != annotations.end()) text = it->second;
  }
  if (text.empty()) return std::nullopt;
  auto address = sdk::parse_ipv4(text);
  if (!address)
    throw sdk::Error(sdk::Status::Invalid("requested load balancer IP \"" + text + "\" is not an IPv4 address"));
  return address;
}

LocalLoadBalancers::LocalLoadBalancers(const sdk::ApiClient& api, std::optional<AddressPool> pool,
                                       std::unique_ptr<AddressAnnouncer> announcer)
    : api_(api), announcer_(std::move(announcer)) {
  if (pool) pool_.emplace(std::move(*pool));
}

void LocalLoadBalancers::restore_once() {
  if (restored_) return;
  for (const auto& service : api_.list<core::Service>())
    if (service.spec().type() == "LoadBalancer" && !service.status().load_balancer().ingress().empty()) restore(service);
  restored_ = true;
}

void LocalLoadBalancers::restore(const core::Service& service) {
  if (!pool_) {
    if (ports_.claim(key_of(service), ports_of(service)).empty())
      on_nodes_[key_of(service)] = service.status().load_balancer();
    return;
  }
  for (const auto& ingress : service.status().load_balancer().ingress())
    if (auto ip = sdk::parse_ipv4(ingress.ip()); ip && pool_->restore(key_of(service), *ip)) {
      if (announcer_) announcer_->add(*ip);
      return;
    }
}

cp::GetLoadBalancerResponse LocalLoadBalancers::get(const cp::LoadBalancerRequest& request) {
  std::lock_guard lock(mutex_);
  restore_once();
  cp::GetLoadBalancerResponse response;
  std::string key = key_of(request.service());
  if (pool_) {
    if (auto held = pool_->held_by(key)) {
      response.set_exists(true);
      *response.mutable_status() = status_of({*held});
    }
  } else if (auto it = on_nodes_.find(key); it != on_nodes_.end()) {
    response.set_exists(true);
    *response.mutable_status() = it->second;
  }
  return response;
}

core::LoadBalancerStatus LocalLoadBalancers::ensure(const cp::LoadBalancerRequest& request) {
  std::lock_guard lock(mutex_);
  restore_once();
  return pool_ ? ensure_from_pool(request.service()) : ensure_on_nodes(request);
}

core::LoadBalancerStatus LocalLoadBalancers::ensure_from_pool(const core::Service& service) {
  std::string key = key_of(service);
  if (!pool_->held_by(key)) restore(service);  // written by an earlier run after our list
  auto before = pool_->held_by(key);
  Assignment assignment = pool_->assign(key, requested_address(service));
  if (!assignment.address) refuse(assignment.reason, assignment.refusal);
  if (announcer_) {
    if (before && *before != *assignment.address) announcer_->remove(*before);
    announcer_->add(*assignment.address);
  }
  return status_of({*assignment.address});
}

core::LoadBalancerStatus LocalLoadBalancers::ensure_on_nodes(const cp::LoadBalancerRequest& request) {
  std::vector<std::uint32_t> ips = internal_ips(request.nodes());
  if (auto requested = requested_address(request.service())) {
    if (std::find(ips.begin(), ips.end(), *requested) == ips.end())
      refuse("LoadBalancerIPNotInPool", "requested load balancer IP " + sdk::format_ipv4(*requested) +
                                            " is not a node's address (with no pool, the nodes' addresses are the pool)");
    ips = {*requested};
  }
  if (ips.empty()) refuse("NoNodes", "no ready node with an InternalIP to answer for the load balancer");
  if (std::string refusal = ports_.claim(key_of(request.service()), ports_of(request.service())); !refusal.empty())
    refuse("LoadBalancerPortTaken", refusal);
  return on_nodes_[key_of(request.service())] = status_of(ips);
}

void LocalLoadBalancers::ensure_deleted(const cp::LoadBalancerRequest& request) {
  std::lock_guard lock(mutex_);
  restore_once();
  std::string key = key_of(request.service());
  if (!pool_) {
    ports_.release(key);
    on_nodes_.erase(key);
    return;
  }
  auto released = pool_->release(key);
  if (released && announcer_) announcer_->remove(*released);
}

}  // namespace skiff::cloud_local
