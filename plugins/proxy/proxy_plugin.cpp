// proxy: the Services data plane of a node — ClusterIP, NodePort, externalIPs and
// LoadBalancer IPs on nftables through netlink, from Services and EndpointSlices.
#include <spdlog/logger.h>

#include <fstream>

#include "proxy_controller.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::proxy {
namespace {

using namespace skiff::sdk;

struct Settings {
  std::string table;
  std::string cluster_cidr;
  std::string service_cidr;
  int masquerade_bit = 14;
  std::chrono::milliseconds min_sync_interval{};
  bool conntrack_cleanup = true;
  bool health_check_node_ports = true;
  bool node_port_on_localhost = true;
  bool cleanup_on_stop = false;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("table", &Settings::table, "skiff-proxy", "the nftables table (family ip) the proxy owns alone"),
      bind_key("cluster_cidr", &Settings::cluster_cidr, "10.244.0.0/16",
               "the pods' range (as the network plugin's): ClusterIP traffic from outside it is masqueraded; \"\" "
               "masquerades none"),
      bind_key("service_cidr", &Settings::service_cidr, "10.96.0.0/12",
               "the Services' range (as the apiserver's): routed through lo while the proxy serves, so the node's own "
               "connections are proxied, and refused when no Service has the address; \"\" leaves routes alone"),
      bind_key("masquerade_bit", &Settings::masquerade_bit, "14",
               "the packet mark bit meaning \"masquerade me\" (kube-proxy's masqueradeBit)")
          .range(0, 31),
      bind_key("min_sync_interval", &Settings::min_sync_interval, "0s",
               "least time between two syncs; changes meanwhile join the next (0: sync as soon as one ends)")
          .range("0s", "1m"),
      bind_key("conntrack_cleanup", &Settings::conntrack_cleanup, "true",
               "delete the UDP conntrack entries of endpoints that went, in the same sync"),
      bind_key("health_check_node_ports", &Settings::health_check_node_ports, "true",
               "answer the healthCheckNodePort of externalTrafficPolicy: Local LoadBalancers (200/503)"),
      bind_key("node_port_on_localhost", &Settings::node_port_on_localhost, "true",
               "NodePorts answer on 127.0.0.1 too (sets net.ipv4.conf.all.route_localnet=1, as kube-proxy)"),
      bind_key("cleanup_on_stop", &Settings::cleanup_on_stop, "false",
               "remove the table and route when the plugin stops (default: keep them, so a restarted proxy takes "
               "over without a traffic gap)"),
  };
  return map;
}

std::optional<Ipv4Cidr> optional_cidr(const std::string& key, const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto parsed = parse_ipv4_cidr(text);
  if (auto* error = std::get_if<CidrError>(&parsed)) throw Error(Status::Invalid("config " + key + ": " + error->message));
  return std::get<Ipv4Cidr>(parsed);
}

// Best effort: a sysctl the kernel lacks (no bridge netfilter) is not the proxy's to fix.
void write_sysctl(const std::string& path, const char* value) {
  std::ofstream(path) << value << "\n";
}

ProxyOptions proxy_options(const Settings& settings, const std::string& node) {
  ProxyOptions options;
  options.table.table = settings.table;
  options.table.cluster_cidr = optional_cidr("cluster_cidr", settings.cluster_cidr);
  options.table.masquerade_mark = std::uint32_t{1} << settings.masquerade_bit;
  options.service_cidr = optional_cidr("service_cidr", settings.service_cidr);
  options.table.service_cidr = options.service_cidr;
  options.translation.node = node;
  options.min_sync_interval = settings.min_sync_interval;
  options.conntrack_cleanup = settings.conntrack_cleanup;
  options.health_check_node_ports = settings.health_check_node_ports;
  return options;
}

class ProxyPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "proxy";
    m.kind = "proxy";
    m.version = "0.1.0";
    m.description = "Services on nftables through netlink: ClusterIP, NodePort, externalIPs, LoadBalancer IPs";
    m.provides = {{capability::kProxy, true}};
    m.config = config_map().table();
    return m;
  }

  explicit ProxyPlugin(Context& context) : context_(context) {}

  // `skiffd cleanup proxy`, or the plugin taken out of the node's profile: the table and route go.
  static void cleanup(const CleanupContext& context) {
    Settings settings = config_map().read(context.config);
    ProxyOptions options = proxy_options(settings, context.node);
    remove_proxy_state(options.table, options.service_cidr);
    context.log.info("table ip {} and its service CIDR route removed", options.table.table);
  }

  void start() override {
    settings_ = config_map().read(context_.config());
    options_ = proxy_options(settings_, context_.node().node);
    if (settings_.node_port_on_localhost) write_sysctl("/proc/sys/net/ipv4/conf/all/route_localnet", "1");
    // Pods on one bridge reaching each other through a Service: their packets must meet conntrack.
    write_sysctl("/proc/sys/net/bridge/bridge-nf-call-iptables", "1");
    controller_ = std::make_unique<ProxyController>(context_.bus(), context_.subjects(), options_, context_.log(),
                                                    context_.metrics());
    controller_->start();
    context_.log().info("node {}: Services on nftables table ip {}", context_.node().node, options_.table.table);
  }

  void stop() override {
    if (controller_) controller_->stop();
    controller_.reset();
    if (settings_.cleanup_on_stop) {
      remove_proxy_state(options_.table, options_.service_cidr);
      context_.log().info("table ip {} and its route removed (cleanup_on_stop)", options_.table.table);
    }
  }

  Health health() override {
    if (!controller_) return Health::failing("not started");
    return Health::ok(controller_->state());
  }

 private:
  Context& context_;
  Settings settings_;
  ProxyOptions options_;
  std::unique_ptr<ProxyController> controller_;
};

}  // namespace
}  // namespace skiff::proxy

SKIFF_PLUGIN(skiff::proxy::ProxyPlugin)
