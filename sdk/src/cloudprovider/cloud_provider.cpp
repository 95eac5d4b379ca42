// The CloudProvider defaults: every optional part answers 501 until a provider overrides it.
#include "skiff/sdk/cloudprovider/cloud_provider.hpp"

namespace skiff::sdk {

namespace cp = cloudprovider::v1;
namespace core = api::core::v1;

Status not_implemented(const std::string& op) {
  return Status{501, "NotImplemented",
                "this cloud provider has no " + op + " (its capabilities say which parts it has)"};
}

bool CloudProvider::instance_exists(const core::Node&) { throw Error(not_implemented("instances")); }
bool CloudProvider::instance_shutdown(const core::Node&) { throw Error(not_implemented("instances")); }
cp::InstanceMetadataResponse CloudProvider::instance_metadata(const core::Node&) {
  throw Error(not_implemented("instances"));
}

cp::GetLoadBalancerResponse CloudProvider::get_load_balancer(const cp::LoadBalancerRequest&) {
  throw Error(not_implemented("load balancers"));
}
core::LoadBalancerStatus CloudProvider::ensure_load_balancer(const cp::LoadBalancerRequest&) {
  throw Error(not_implemented("load balancers"));
}
void CloudProvider::update_load_balancer(const cp::LoadBalancerRequest&) { throw Error(not_implemented("load balancers")); }
void CloudProvider::ensure_load_balancer_deleted(const cp::LoadBalancerRequest&) {
  throw Error(not_implemented("load balancers"));
}

std::vector<cp::Route> CloudProvider::list_routes(const std::string&) { throw Error(not_implemented("routes")); }
void CloudProvider::create_route(const std::string&, const std::string&, const cp::Route&) {
  throw Error(not_implemented("routes"));
}
void CloudProvider::delete_route(const std::string&, const cp::Route&) { throw Error(not_implemented("routes")); }

}  // namespace skiff::sdk
