// Routes for machines you run yourself: host-gw routes in this machine's main table (a pod
// subnet via its node's InternalIP), as the network plugin installs them, under a routing
// protocol of their own (75: `ip route show proto 75`) so either may own them.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "route_table.hpp"
#include "skiff/cloudprovider/v1/cloudprovider.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace skiff::cloud_local {

inline constexpr unsigned char kCloudRouteProtocol = 75;

class LocalRoutes {
 public:
  // `self`: the node this provider runs on, whose own pod subnet is on its bridge already: its
  // routes are listed as there and never written (a route via its own address would replace
  // the bridge's). `netns`: the named network namespace whose main table holds the routes
  // ("": this machine's).
  LocalRoutes(const sdk::ApiClient& api, std::string self, const std::string& netns = "");

  std::vector<cloudprovider::v1::Route> list();
  // Error(404) when the target node has no InternalIP to route through.
  void create(const cloudprovider::v1::Route& route);
  void remove(const cloudprovider::v1::Route& route);

 private:
  const sdk::ApiClient& api_;
  std::string self_;
  std::mutex mutex_;
  std::unique_ptr<network::RouteTable> table_;
};

}  // namespace skiff::cloud_local
