// cloud-local: the cloud provider for machines you run yourself — instances from the nodes'
// own data, load balancer addresses from a pool (or the nodes' addresses), routes when it owns
// them — served on skiff.<c>.cloudprovider.<op> for the cloud-controller-manager.
#include <spdlog/logger.h>

#include <stdexcept>

#include "local_cloud_provider.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/cloudprovider/serve_cloud_provider.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::cloud_local {
namespace {

using namespace skiff::sdk;

struct Settings {
  std::vector<std::string> pool;
  std::string announce_interface;
  std::string zone;
  std::string region;
  std::string instance_type;
  std::chrono::milliseconds instance_probe_timeout{};
  std::chrono::milliseconds instance_gone_after{};
  bool routes = false;
  std::string routes_netns;
  std::int64_t workers = 4;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("pool", &Settings::pool, "[]",
               "load balancer addresses: IPs, ranges (a-b) and CIDRs, one per Service; empty: every LoadBalancer on "
               "the nodes' own addresses, ports first come first served (k3s's default)"),
      bind_key("announce_interface", &Settings::announce_interface, "",
               "add each pool address given out as a /32 on this interface of this node, so the LAN reaches it "
               "(ARP) and the proxy's DNAT serves it; \"\": announce nothing (a router routes the pool)"),
      bind_key("zone", &Settings::zone, "local", "every node's topology.kubernetes.io/zone"),
      bind_key("region", &Settings::region, "local", "every node's topology.kubernetes.io/region"),
      bind_key("instance_type", &Settings::instance_type, "local", "every node's node.kubernetes.io/instance-type"),
      bind_key("instance_probe_timeout", &Settings::instance_probe_timeout, "2s",
               "how long a node's skiffd has to answer one probe on the bus")
          .range("100ms", "1m"),
      bind_key("instance_gone_after", &Settings::instance_gone_after, "5m",
               "a node's machine counts as gone (its NotReady Node deleted, its pods replaced) once its skiffd has "
               "not answered for this long; shorter than the time a node agent takes to restart or upgrade loses "
               "Nodes that come back")
          .range("1s", "24h"),
      bind_key("routes", &Settings::routes, "false",
               "own the pod subnets' host-gw routes on this machine (routing protocol 75); false: the network plugin "
               "owns them"),
      bind_key("routes_netns", &Settings::routes_netns, "",
               "with routes: the named network namespace (/run/netns/NAME) whose main table holds them, e.g. a "
               "test's own; \"\": this machine's"),
      bind_key("workers", &Settings::workers, "4", "cloud provider requests handled at once").range(1, 64),
  };
  return map;
}

std::optional<AddressPool> pool_of(const Settings& settings) {
  if (settings.pool.empty()) return std::nullopt;
  try {
    return parse_address_pool(settings.pool);
  } catch (const std::invalid_argument& e) {
    throw Error(Status::Invalid(std::string("config pool: ") + e.what()));
  }
}

class CloudLocalPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "cloud-local";
    m.kind = "cloudprovider";
    m.version = "0.1.0";
    m.description = "Cloud provider for your own machines: instances, load balancer IPs from a pool, host-gw routes";
    m.provides = {{capability::kCloudProvider, false}};
    m.config = config_map().table();
    return m;
  }

  explicit CloudLocalPlugin(Context& context) : context_(context), api_(context.bus(), context.subjects()) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    auto pool = pool_of(settings);
    if (!settings.announce_interface.empty() && !pool)
      throw Error(Status::Invalid("config announce_interface: only pool addresses are announced; configure `pool` too"));
    if (!settings.routes_netns.empty() && !settings.routes)
      throw Error(Status::Invalid("config routes_netns: names where routes go; set `routes: true` too"));
    std::unique_ptr<AddressAnnouncer> announcer;
    if (!settings.announce_interface.empty()) announcer = std::make_unique<AddressAnnouncer>(settings.announce_interface);
    std::string mode = pool ? std::to_string(pool->addresses.size()) + " pool addresses (" + pool->description + ")"
                            : std::string("the nodes' own addresses");
    clean_stops_ = std::make_unique<CleanStops>(context_.bus(), context_.subjects());
    provider_ = std::make_unique<LocalCloudProvider>(
        InstanceSettings{settings.zone, settings.region, settings.instance_type},
        KernelProbe(context_.bus(), context_.node().cluster, settings.instance_probe_timeout,
                    settings.instance_gone_after, clean_stops_.get()),
        std::make_unique<LocalLoadBalancers>(api_, std::move(pool), std::move(announcer)),
        settings.routes ? std::make_unique<LocalRoutes>(api_, context_.node().node, settings.routes_netns) : nullptr);
    server_ = serve_cloud_provider(context_, *provider_, {static_cast<int>(settings.workers), true});
    context_.log().info("cloud provider \"local\": load balancers on {}{}; zone {}; routes {}", mode,
                        settings.announce_interface.empty() ? "" : ", announced on " + settings.announce_interface,
                        settings.zone, settings.routes ? "owned (proto 75)" : "left to the network plugin");
  }

  void stop() override {
    if (server_) server_->stop();
    server_.reset();
    provider_.reset();
    clean_stops_.reset();
  }

  Health health() override {
    if (!server_) return Health::failing("not started");
    return Health::ok("serving skiff.<c>.cloudprovider");
  }

 private:
  Context& context_;
  ApiClient api_;
  std::unique_ptr<CleanStops> clean_stops_;
  std::unique_ptr<LocalCloudProvider> provider_;
  std::unique_ptr<CloudProviderServer> server_;
};

}  // namespace
}  // namespace skiff::cloud_local

SKIFF_PLUGIN(skiff::cloud_local::CloudLocalPlugin)
