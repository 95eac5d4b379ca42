// One key, one worker: every Service or slice event marks its Service dirty; a sync translates
// the dirty ones again and applies the whole desired state, which costs only the difference.
#include "proxy_controller.hpp"

#include <spdlog/logger.h>

#include "route_table.hpp"
#include "slice_view.hpp"

namespace skiff::proxy {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kKey = "sync";
constexpr const char* kServiceIndex = "service";
constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";

// Slices are found by "namespace/service" (their service-name label).
const sdk::IndexFunction slice_service = sdk::index_by_namespaced_label(kServiceNameLabel);

// Sync latencies from 0.5 ms to 10 s.
const std::vector<double> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

void erase_prefix(std::map<std::string, ServicePort>& ports, const std::string& prefix, ProxyState* removed) {
  auto it = ports.lower_bound(prefix);
  while (it != ports.end() && it->first.starts_with(prefix)) {
    if (removed) removed->ports.insert(*it);
    it = ports.erase(it);
  }
}

std::size_t distinct_ips(const std::vector<Endpoint>& endpoints) {
  std::set<std::uint32_t> ips;
  for (const auto& e : endpoints) ips.insert(e.ip);
  return ips.size();
}

}  // namespace

ProxyController::ProxyController(sdk::Bus& bus, const sdk::Subjects& subjects, ProxyOptions options,
                                 spdlog::logger& log, sdk::Metrics& metrics)
    : options_(std::move(options)),
      log_(log),
      services_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      slices_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      programmer_(options_.table),
      health_(log),
      sync_latency_(metrics.histogram("skiff_proxy_sync_duration_seconds",
                                      "From the start of a sync to the kernel's acknowledgement", kLatencyBuckets)),
      syncs_(metrics.counter("skiff_proxy_syncs_total", "Syncs that reached the kernel")),
      sync_errors_(metrics.counter("skiff_proxy_sync_errors_total", "Syncs the kernel refused (retried)")),
      flows_deleted_(metrics.counter("skiff_proxy_conntrack_flows_deleted_total",
                                     "Stale UDP conntrack entries deleted after endpoint changes")),
      rules_(metrics.gauge("skiff_proxy_rules", "Rules in the proxy's nftables table")),
      service_ports_(metrics.gauge("skiff_proxy_service_ports", "Service ports programmed")),
      last_sync_time_(metrics.gauge("skiff_proxy_last_sync_timestamp_seconds", "Unix time of the last sync")) {
  if (options_.conntrack_cleanup) conntrack_.emplace();
  services_.add_handlers([this](const auto& s) { service_changed(s->metadata().namespace_(), s->metadata().name()); },
                         [this](const auto&, const auto& s) {
                           service_changed(s->metadata().namespace_(), s->metadata().name());
                         },
                         [this](const auto& s) { service_changed(s->metadata().namespace_(), s->metadata().name()); });
  slices_.add_index(kServiceIndex, slice_service);
  auto slice_changed = [this](const std::shared_ptr<const discovery::EndpointSlice>& slice) {
    for (const auto& key : slice_service(*slice)) {
      std::lock_guard lock(mutex_);
      dirty_.insert(key);
    }
    queue_.add(kKey);
  };
  slices_.add_handlers(slice_changed, [slice_changed](const auto& old, const auto& now) {
    slice_changed(old);
    slice_changed(now);
  }, slice_changed);
}

ProxyController::~ProxyController() { stop(); }

void ProxyController::start() {
  services_.start();
  slices_.start();
  queue_.run(1, [this](const std::string&) { return sync(); });
  queue_.add(kKey);
}

void ProxyController::stop() {
  queue_.stop();
  slices_.stop();
  services_.stop();
}

void ProxyController::service_changed(const std::string& namespace_, const std::string& name) {
  {
    std::lock_guard lock(mutex_);
    dirty_.insert(namespace_ + "/" + name);
  }
  queue_.add(kKey);
}

// Translates one Service again; what its ports were goes into `before` (for stale flows).
void ProxyController::recompute(const std::string& service_key) {
  auto slash = service_key.find('/');
  std::string namespace_ = service_key.substr(0, slash), name = service_key.substr(slash + 1);
  ProxyState before;
  erase_prefix(desired_.ports, service_key_prefix(namespace_, name), &before);
  health_by_service_.erase(service_key);
  ProxyState after;
  if (auto service = services_.get(namespace_, name)) {
    std::vector<SliceView> views;
    for (const auto& slice : slices_.by_index(kServiceIndex, service_key)) views.push_back(slice_view(*slice));
    after.ports = service_ports(*service, views, options_.translation);
    const auto& spec = service->spec();
    if (spec.type() == "LoadBalancer" && spec.external_traffic_policy() == "Local" && spec.health_check_node_port() > 0) {
      std::vector<Endpoint> local;
      for (const auto& [key, port] : after.ports)
        local.insert(local.end(), port.external_endpoints.begin(), port.external_endpoints.end());
      health_by_service_[service_key] = {static_cast<std::uint16_t>(spec.health_check_node_port()),
                                         HealthTarget{namespace_, name, distinct_ips(local)}};
    }
  }
  // A (re)started proxy does not know what the kernel carried before: it deletes nothing.
  if (synced_once_)
    for (const auto& flow : stale_udp_flows(before, after)) pending_flows_.insert(flow);
  desired_.ports.insert(after.ports.begin(), after.ports.end());
}

std::map<std::uint16_t, HealthTarget> ProxyController::health_targets() const {
  std::map<std::uint16_t, HealthTarget> targets;
  for (const auto& [key, entry] : health_by_service_) targets[entry.first] = entry.second;
  return targets;
}

bool ProxyController::sync() {
  if (!services_.has_synced() || !slices_.has_synced()) {
    queue_.add_after(kKey, std::chrono::milliseconds(50));
    return true;
  }
  auto started = Clock::now();
  if (started < next_allowed_) {
    queue_.add_after(kKey, std::chrono::duration_cast<std::chrono::milliseconds>(next_allowed_ - started) +
                               std::chrono::milliseconds(1));
    return true;
  }
  std::set<std::string> dirty;
  {
    std::lock_guard lock(mutex_);
    dirty.swap(dirty_);
  }
  if (!synced_once_)
    for (const auto& service : services_.list())
      dirty.insert(service->metadata().namespace_() + "/" + service->metadata().name());
  for (const auto& key : dirty) recompute(key);
  settle_address_clashes(desired_, settled_);
  report_clashes();
  ApplyStats stats;
  try {
    stats = programmer_.apply(*settled_.state);
  } catch (const std::exception& e) {
    sync_errors_.inc();
    log_.error("sync failed, retrying in 1s: {}", e.what());
    queue_.add_after(kKey, std::chrono::seconds(1));
    return true;
  }
  after_apply(stats, started);
  return true;
}

// Once per clash while it lasts: the user gave two Services one address.
void ProxyController::report_clashes() {
  std::set<std::string> now;
  for (const auto& d : settled_.dropped) {
    std::string line = d.address + " of " + d.port_key + " (already " + d.owner + "'s)";
    if (!reported_clashes_.contains(line))
      log_.warn("{}: not served for this Service; give each Service its own external IPs", line);
    now.insert(std::move(line));
  }
  reported_clashes_.swap(now);
}

// What follows a successful apply: stale flows, health checks, the node's own route, figures.
void ProxyController::after_apply(const ApplyStats& stats, Clock::time_point started) {
  if (conntrack_ && !pending_flows_.empty()) {
    try {
      flows_deleted_.inc(static_cast<double>(conntrack_->remove_udp({pending_flows_.begin(), pending_flows_.end()})));
      pending_flows_.clear();
    } catch (const std::exception& e) {
      log_.warn("stale UDP flows not deleted (retried at the next sync): {}", e.what());
    }
  }
  if (options_.health_check_node_ports) health_.update(health_targets());
  if (!synced_once_) {
    route_service_cidr();
    log_.info("{} service ports programmed in {} ms ({} rules, table {})", desired_.ports.size(),
              std::chrono::duration_cast<std::chrono::milliseconds>(stats.duration).count(), programmer_.rule_count(),
              options_.table.table);
  }
  auto now = Clock::now();
  sync_latency_.observe(std::chrono::duration<double>(now - started).count());
  syncs_.inc();
  rules_.set(static_cast<double>(programmer_.rule_count()));
  service_ports_.set(static_cast<double>(desired_.ports.size()));
  last_sync_time_.set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::lock_guard lock(mutex_);
  synced_once_ = true;
  last_sync_ = now;
  next_allowed_ = now + options_.min_sync_interval;
}

// Once the rules are in place: the node's own connections to ClusterIPs leave through lo
// (past the network plugin's unreachable route) and meet the DNAT in the output hook.
void ProxyController::route_service_cidr() {
  if (!options_.service_cidr) return;
  network::RouteTable(network::kProxyRouteProtocol)
      .replace_on_device(*options_.service_cidr, "lo", network::kServiceProxyMetric);
}

std::string ProxyController::state() const {
  std::lock_guard lock(mutex_);
  if (!synced_once_) return "waiting for Services and EndpointSlices";
  auto ago = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_sync_).count();
  return std::to_string(static_cast<std::size_t>(service_ports_.value())) + " service ports, " +
         std::to_string(static_cast<std::size_t>(rules_.value())) + " rules, last sync " + std::to_string(ago) +
         " ms ago";
}

// Everything the proxy installed on the node: its table and its route.
void remove_proxy_state(const TableOptions& table, const std::optional<sdk::Ipv4Cidr>& service_cidr) {
  NftProgrammer(table).cleanup();
  if (service_cidr) network::RouteTable(network::kProxyRouteProtocol).remove_with_metric(*service_cidr,
                                                                                         network::kServiceProxyMetric);
}

}  // namespace skiff::proxy
