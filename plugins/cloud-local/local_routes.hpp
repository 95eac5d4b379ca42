// Routes for machines you run yourself: host-gw routes in this machine's main table (a pod
// subnet via its node's InternalIP), as the network plugin installs them, under a routing
// protocol of their own (75: `ip route show proto 75`) so either may own them.
#pragma once

#include <mutex>
#include <vector>

#include "route_table.hpp"
#include "skiff/cloudprovider/v1/cloudprovider.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace skiff::cloud_local {

inline constexpr unsigned char kCloudRouteProtocol = 75;

class LocalRoutes {
 public:
  explicit LocalRoutes(const sdk::ApiClient& api) : api_(api), table_(kCloudRouteProtocol) {}

  std::vector<cloudprovider::v1::Route> list();
  // Error(404) when the target node has no InternalIP to route through.
  void create(const cloudprovider::v1::Route& route);
  void remove(const cloudprovider::v1::Route& route);

 private:
  const sdk::ApiClient& api_;
  std::mutex mutex_;
  network::RouteTable table_;
};

}  // namespace skiff::cloud_local
