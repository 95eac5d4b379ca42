// network: a node's pod network — CNI configuration for its runtime, host-gw routes to the
// other nodes' pod subnets, forwarding and masquerading — from the Node objects.
#include <spdlog/logger.h>

#include "local_networks.hpp"
#include "network_controller.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::network {
namespace {

using namespace skiff::sdk;

struct Settings {
  std::optional<std::string> cni_conf_dir;
  std::string bridge;
  std::string cluster_cidr;
  std::string service_cidr;
  int mtu = 0;
  bool masquerade = true;
  bool routes = true;
  std::chrono::milliseconds resync{};
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("cni_conf_dir", &Settings::cni_conf_dir, "",
               "where the node's CNI conflist is written (default: <node data dir>/cni/net.d; runtime-docker's "
               "cni_conf_dir must name the same)"),
      bind_key("bridge", &Settings::bridge, "cni0", "the Linux bridge the node's pods are on"),
      bind_key("cluster_cidr", &Settings::cluster_cidr, "10.244.0.0/16",
               "every pod subnet is inside it (must match the controller-manager's); traffic leaving it is masqueraded"),
      bind_key("service_cidr", &Settings::service_cidr, "10.96.0.0/12",
               "the Services' range (must match the apiserver's): routed unreachable on the node unless the proxy serves it; refused if it overlaps cluster_cidr"),
      bind_key("mtu", &Settings::mtu, "0", "the pods' MTU (0: the kernel's default)").range(0, 65535),
      bind_key("masquerade", &Settings::masquerade, "true", "masquerade pod traffic that leaves the cluster CIDR"),
      bind_key("routes", &Settings::routes, "true",
               "install host-gw routes to every other node's pod subnet (routing protocol 73); false where another "
               "owner does (cloud-local with routes: true, on the machine that routes the pod network)"),
      bind_key("resync", &Settings::resync, "30s", "how often routes are checked even when no Node changed")
          .range("1s", "1h"),
  };
  return map;
}

Ipv4Cidr cidr_or_throw(const std::string& key, const std::string& text) {
  auto cidr = Ipv4Cidr::parse(text);
  if (!cidr) throw Error(Status::Invalid("config " + key + ": '" + text + "' is not an IPv4 CIDR such as 10.244.0.0/16"));
  return *cidr;
}

// The pod range may shadow neither the Services nor the networks the node is on.
void refuse_overlaps(const Ipv4Cidr& cluster, const Ipv4Cidr& services, const std::string& bridge) {
  if (cluster.overlaps(services))
    throw Error(Status::Invalid("config cluster_cidr " + cluster.str() + " overlaps service_cidr " + services.str() +
                                "; give pods and Services ranges of their own"));
  for (const auto& [interface, network] : local_networks(bridge))
    if (cluster.overlaps(network))
      throw Error(Status::Invalid("config cluster_cidr " + cluster.str() + " overlaps " + network.str() + ", the network of " +
                                  interface + " on this node; pick a pod range the node's networks do not use"));
}

class NetworkPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "network";
    m.kind = "network";
    m.version = "0.1.0";
    m.description = "The node's pod network: CNI conflist (bridge, host-local, portmap), host-gw routes, masquerade";
    m.provides = {{capability::kNetwork, true}};
    m.config = config_map().table();
    return m;
  }

  explicit NetworkPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    NetworkOptions options;
    options.node = context_.node().node;
    options.cni_conf_dir = settings.cni_conf_dir.value_or(context_.node_data_dir() + "/cni/net.d");
    options.cluster_cidr = cidr_or_throw("cluster_cidr", settings.cluster_cidr);
    options.service_cidr = cidr_or_throw("service_cidr", settings.service_cidr);
    refuse_overlaps(options.cluster_cidr, *options.service_cidr, settings.bridge);
    options.conflist.bridge = settings.bridge;
    options.conflist.ipam_dir = context_.data_dir() + "/ipam";
    options.conflist.mtu = settings.mtu;
    options.masquerade = settings.masquerade;
    options.routes = settings.routes;
    options.resync = settings.resync;
    controller_ = std::make_unique<NetworkController>(context_.bus(), context_.subjects(), options, context_.log());
    controller_->start();
    context_.log().info("node {}: pod network from cluster CIDR {}, CNI config in {}", options.node,
                        options.cluster_cidr.str(), options.cni_conf_dir);
  }

  void stop() override {
    // Routes, rules and the conflist stay: pods keep their network across a restart.
    if (controller_) controller_->stop();
    controller_.reset();
  }

  Health health() override {
    if (!controller_) return Health::failing("not started");
    return Health::ok(controller_->state());
  }

 private:
  Context& context_;
  std::unique_ptr<NetworkController> controller_;
};

}  // namespace
}  // namespace skiff::network

SKIFF_PLUGIN(skiff::network::NetworkPlugin)
