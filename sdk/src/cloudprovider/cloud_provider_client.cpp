// CloudProviderClient: one bus request per op to whichever provider serves the cluster.
#include "skiff/sdk/cloudprovider/cloud_provider_client.hpp"

#include "skiff/sdk/bus_proto.hpp"

namespace skiff::sdk {

namespace cp = cloudprovider::v1;
namespace core = api::core::v1;

CloudProviderClient::CloudProviderClient(Bus& bus, const Subjects& subjects, std::string cluster_name,
                                         std::chrono::milliseconds timeout)
    : bus_(bus), subjects_(subjects), cluster_name_(std::move(cluster_name)), timeout_(timeout) {}

template <class Response, class RequestMessage>
Response CloudProviderClient::call(const char* op, const RequestMessage& request) const {
  return sdk::call<Response>(bus_, subjects_.cloud_provider(op), request, timeout_);
}

cp::CapabilitiesResponse CloudProviderClient::capabilities() const {
  return call<cp::CapabilitiesResponse>("capabilities", cp::CapabilitiesRequest());
}

namespace {
cp::InstanceRequest instance_request(const core::Node& node) {
  cp::InstanceRequest r;
  *r.mutable_node() = node;
  return r;
}
}  // namespace

bool CloudProviderClient::instance_exists(const core::Node& node) const {
  return call<cp::InstanceExistsResponse>("instance_exists", instance_request(node)).exists();
}

bool CloudProviderClient::instance_shutdown(const core::Node& node) const {
  return call<cp::InstanceShutdownResponse>("instance_shutdown", instance_request(node)).shutdown();
}

cp::InstanceMetadataResponse CloudProviderClient::instance_metadata(const core::Node& node) const {
  return call<cp::InstanceMetadataResponse>("instance_metadata", instance_request(node));
}

cp::LoadBalancerRequest CloudProviderClient::lb_request(const core::Service& service,
                                                       const std::vector<core::Node>& nodes) const {
  cp::LoadBalancerRequest r;
  r.set_cluster_name(cluster_name_);
  *r.mutable_service() = service;
  for (const auto& node : nodes) *r.add_nodes() = node;
  return r;
}

cp::GetLoadBalancerResponse CloudProviderClient::get_load_balancer(const core::Service& service) const {
  return call<cp::GetLoadBalancerResponse>("lb_get", lb_request(service, {}));
}

core::LoadBalancerStatus CloudProviderClient::ensure_load_balancer(const core::Service& service,
                                                                   const std::vector<core::Node>& nodes) const {
  return call<cp::EnsureLoadBalancerResponse>("lb_ensure", lb_request(service, nodes)).status();
}

void CloudProviderClient::update_load_balancer(const core::Service& service, const std::vector<core::Node>& nodes) const {
  call<cp::LoadBalancerDone>("lb_update", lb_request(service, nodes));
}

void CloudProviderClient::ensure_load_balancer_deleted(const core::Service& service) const {
  call<cp::LoadBalancerDone>("lb_ensure_deleted", lb_request(service, {}));
}

std::vector<cp::Route> CloudProviderClient::list_routes() const {
  cp::ListRoutesRequest r;
  r.set_cluster_name(cluster_name_);
  auto response = call<cp::ListRoutesResponse>("routes_list", r);
  return {response.routes().begin(), response.routes().end()};
}

void CloudProviderClient::create_route(const std::string& name_hint, const cp::Route& route) const {
  cp::RouteRequest r;
  r.set_cluster_name(cluster_name_);
  r.set_name_hint(name_hint);
  *r.mutable_route() = route;
  call<cp::RouteDone>("route_create", r);
}

void CloudProviderClient::delete_route(const cp::Route& route) const {
  cp::RouteRequest r;
  r.set_cluster_name(cluster_name_);
  *r.mutable_route() = route;
  call<cp::RouteDone>("route_delete", r);
}

}  // namespace skiff::sdk
