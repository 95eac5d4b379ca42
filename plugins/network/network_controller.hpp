// The node's pod network, level-triggered from the Node objects: once the node has a pod
// subnet, its CNI conflist, forwarding and masquerading; always, host-gw routes to every other
// node's subnet; and the node's NetworkUnavailable condition saying which.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cni_conflist.hpp"
#include "node_routes.hpp"
#include "pod_nat.hpp"
#include "route_table.hpp"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/work_queue.hpp"

namespace spdlog {
class logger;
}

namespace skiff::network {

struct NetworkOptions {
  std::string node;
  std::string cni_conf_dir;
  ConflistOptions conflist;  // pod_cidr filled in from the Node
  sdk::Ipv4Cidr cluster_cidr;
  std::optional<sdk::Ipv4Cidr> service_cidr;  // gets the reject route
  bool masquerade = true;
  bool routes = true;  // false: another owner (cloud-local's `routes: true`) installs host-gw routes here
  std::chrono::milliseconds resync{30000};  // routes re-checked this often (something else may remove them)
};

class NetworkController {
 public:
  NetworkController(sdk::Bus& bus, const sdk::Subjects& subjects, NetworkOptions options, spdlog::logger& log);
  ~NetworkController();

  void start();
  void stop();
  // "pod network 10.244.1.0/24, 2 routes", or what it waits for.
  std::string state() const;

 private:
  void sync();
  void configure_pod_network(const sdk::Ipv4Cidr& cidr);
  void sync_routes();
  void reject_service_cidr();
  void report(const api::core::v1::Node& node, bool unavailable, const std::string& reason, const std::string& message);

  NetworkOptions options_;
  spdlog::logger& log_;
  sdk::ApiClient api_;
  sdk::Informer<api::core::v1::Node> nodes_;
  sdk::WorkQueue queue_;
  RouteTable routes_;
  PodNat nat_;
  mutable std::mutex mutex_;
  std::optional<sdk::Ipv4Cidr> configured_;  // the pod subnet the conflist and rules are for
  std::size_t route_count_ = 0;
  bool service_route_logged_ = false;
};

}  // namespace skiff::network
