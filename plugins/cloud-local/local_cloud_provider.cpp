// LocalCloudProvider: routes answer 501 unless this provider owns them.
#include "local_cloud_provider.hpp"

namespace skiff::cloud_local {

namespace cp = cloudprovider::v1;

cp::CapabilitiesResponse LocalCloudProvider::capabilities() {
  cp::CapabilitiesResponse caps;
  caps.set_provider_name(kProviderName);
  caps.set_instances(true);
  caps.set_load_balancer(true);
  caps.set_routes(routes_ != nullptr);
  return caps;
}

std::vector<cp::Route> LocalCloudProvider::list_routes(const std::string& cluster_name) {
  if (!routes_) return CloudProvider::list_routes(cluster_name);
  return routes_->list();
}

void LocalCloudProvider::create_route(const std::string& cluster_name, const std::string& name_hint,
                                      const cp::Route& route) {
  if (!routes_) return CloudProvider::create_route(cluster_name, name_hint, route);
  routes_->create(route);
}

void LocalCloudProvider::delete_route(const std::string& cluster_name, const cp::Route& route) {
  if (!routes_) return CloudProvider::delete_route(cluster_name, route);
  routes_->remove(route);
}

}  // namespace skiff::cloud_local
