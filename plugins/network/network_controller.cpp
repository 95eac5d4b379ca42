// One key ("node"), one worker: every Node event and a periodic resync reconcile the whole
// node — the network is small state, and a full pass is simpler than deltas to get right.
#include "network_controller.hpp"

#include <spdlog/logger.h>

#include <fstream>

#include "skiff/sdk/time.hpp"

namespace skiff::network {

namespace core = api::core::v1;

namespace {

constexpr const char* kKey = "node";
constexpr const char* kCondition = "NetworkUnavailable";

void enable_forwarding() {
  std::ofstream("/proc/sys/net/ipv4/ip_forward") << "1\n";
}

}  // namespace

NetworkController::NetworkController(sdk::Bus& bus, const sdk::Subjects& subjects, NetworkOptions options,
                                     spdlog::logger& log)
    : options_(std::move(options)),
      log_(log),
      api_(bus, subjects),
      nodes_(bus, subjects, sdk::api_source(bus, subjects), {}, &log) {
  auto changed = [this](const auto&) { queue_.add(kKey); };
  nodes_.add_handlers(changed, [this](const auto&, const auto&) { queue_.add(kKey); }, changed);
}

NetworkController::~NetworkController() { stop(); }

void NetworkController::start() {
  reject_service_cidr();  // at once, before the Nodes are known: nothing may leave meanwhile
  nodes_.start();
  queue_.run(1, [this](const std::string&) {
    if (!nodes_.has_synced()) {
      queue_.add_after(kKey, std::chrono::milliseconds(100));
      return true;
    }
    try {
      sync();
    } catch (const std::exception& e) {
      // Say it where users look (the node's condition), and try again at the next resync.
      log_.warn("node {}: the pod network is not in place: {}", options_.node, e.what());
      if (auto self = nodes_.get("", options_.node)) {
        try {
          report(*self, true, "NetworkPluginFailed", e.what());
        } catch (const std::exception&) {
        }
      }
    }
    queue_.add_after(kKey, options_.resync);
    return true;
  });
  queue_.add(kKey);
}

void NetworkController::stop() {
  queue_.stop();
  nodes_.stop();
}

void NetworkController::sync() {
  reject_service_cidr();
  auto self = nodes_.get("", options_.node);
  if (!self) return;  // the kubelet has not registered the node yet
  auto cidr = pod_cidr(*self, options_.cluster_cidr);
  if (!cidr) {
    bool outside = !self->spec().pod_cidr().empty();
    report(*self, true, outside ? "PodCIDROutsideClusterCIDR" : "NoPodCIDR",
           outside ? "the node's podCIDR " + self->spec().pod_cidr() + " is not inside the cluster CIDR " +
                         options_.cluster_cidr.str()
                   : "waiting for the node IPAM controller to give the node a podCIDR");
  } else {
    configure_pod_network(*cidr);
  }
  sync_routes();
  if (cidr) report(*self, false, "SkiffNetworkReady", "pod network " + cidr->str() + " configured, " +
                                       (options_.routes ? "routes to every node" : "routes left to the cloud provider"));
}

void NetworkController::configure_pod_network(const sdk::Ipv4Cidr& cidr) {
  {
    std::lock_guard lock(mutex_);
    if (configured_ == cidr) return;
  }
  ConflistOptions conflist = options_.conflist;
  conflist.pod_cidr = cidr;
  write_conflist(options_.cni_conf_dir, conflist_json(conflist));
  enable_forwarding();
  if (options_.masquerade) nat_.apply(cidr, options_.cluster_cidr);
  std::lock_guard lock(mutex_);
  configured_ = cidr;
  log_.info("pod network {} on bridge {}: {} written", cidr.str(), conflist.bridge,
            options_.cni_conf_dir + "/" + kConflistFile);
}

// Replaced every sync: cheap, and it comes back if something removed it.
void NetworkController::reject_service_cidr() {
  if (!options_.service_cidr) return;
  routes_.replace_unreachable(*options_.service_cidr, kServiceRejectMetric);
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = !service_route_logged_;
    service_route_logged_ = true;
  }
  if (first)
    log_.info("service CIDR {} unreachable unless proxied (route metric {})", options_.service_cidr->str(),
              kServiceRejectMetric);
}

void NetworkController::sync_routes() {
  // Not the owner: none wanted, so routes this plugin made before are removed.
  Routes desired = options_.routes ? desired_routes(nodes_.list(), options_.node, options_.cluster_cidr) : Routes{};
  RouteChanges changes = route_changes(routes_.ours(), desired);
  for (const auto& [destination, via] : changes.replace) {
    routes_.replace(*sdk::Ipv4Cidr::parse(destination), via);
    log_.info("route to {} via {}", destination, sdk::format_ipv4(via));
  }
  for (const auto& destination : changes.remove) {
    routes_.remove(*sdk::Ipv4Cidr::parse(destination));
    log_.info("route to {} removed (no node has that subnet any more)", destination);
  }
  std::lock_guard lock(mutex_);
  route_count_ = desired.size();
}

// Writes NetworkUnavailable only when it changes (status, reason), retried on conflicts.
void NetworkController::report(const core::Node& node, bool unavailable, const std::string& reason,
                               const std::string& message) {
  std::string status = unavailable ? "True" : "False";
  for (const auto& c : node.status().conditions())
    if (c.type() == kCondition && c.status() == status && c.reason() == reason) return;
  for (int attempt = 0; attempt < 5; ++attempt) {
    core::Node current = api_.get<core::Node>("", options_.node);
    core::NodeCondition* condition = nullptr;
    for (auto& c : *current.mutable_status()->mutable_conditions())
      if (c.type() == kCondition) condition = &c;
    if (!condition) condition = current.mutable_status()->add_conditions();
    std::string now = sdk::now_rfc3339();
    if (condition->status() != status) condition->set_last_transition_time(now);
    condition->set_type(kCondition);
    condition->set_status(status);
    condition->set_reason(reason);
    condition->set_message(message);
    condition->set_last_heartbeat_time(now);
    try {
      api_.update(current, "status");
      return;
    } catch (const sdk::Error& e) {
      if (e.status().code != 409) throw;
    }
  }
}

std::string NetworkController::state() const {
  std::lock_guard lock(mutex_);
  if (!configured_) return "waiting for the node's podCIDR; " + std::to_string(route_count_) + " routes";
  return "pod network " + configured_->str() + ", " + std::to_string(route_count_) + " routes";
}

}  // namespace skiff::network
