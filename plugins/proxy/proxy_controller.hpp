// The proxy's loop: Services and EndpointSlices from informers, translated per Service into
// the desired ProxyState; each sync applies it (the programmer sends only the difference),
// deletes the UDP flows the change made stale, and serves the health-check NodePorts.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "address_clashes.hpp"
#include "conntrack_table.hpp"
#include "health_check_server.hpp"
#include "nft_programmer.hpp"
#include "service_ports.hpp"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/work_queue.hpp"

namespace spdlog {
class logger;
}

namespace skiff::proxy {

struct ProxyOptions {
  TableOptions table;
  TranslationOptions translation;                 // its node is this node
  std::optional<sdk::Ipv4Cidr> service_cidr;      // routed through lo so the node's own connections are proxied
  std::chrono::milliseconds min_sync_interval{0}; // changes arriving meanwhile join the next sync
  bool conntrack_cleanup = true;
  bool health_check_node_ports = true;
};

class ProxyController {
 public:
  ProxyController(sdk::Bus& bus, const sdk::Subjects& subjects, ProxyOptions options, spdlog::logger& log,
                  sdk::Metrics& metrics);
  ~ProxyController();

  void start();
  void stop();
  // "12 service ports, 57 rules, last sync 3 ms ago", or what it waits for.
  std::string state() const;

 private:
  void service_changed(const std::string& namespace_, const std::string& name);
  bool sync();
  void recompute(const std::string& service_key);
  std::map<std::uint16_t, HealthTarget> health_targets() const;
  void after_apply(const ApplyStats& stats, std::chrono::steady_clock::time_point started);
  void route_service_cidr();
  void report_clashes();

  ProxyOptions options_;
  spdlog::logger& log_;
  sdk::Informer<api::core::v1::Service> services_;
  sdk::Informer<api::discovery::v1::EndpointSlice> slices_;
  sdk::WorkQueue queue_;
  NftProgrammer programmer_;
  std::optional<ConntrackTable> conntrack_;
  HealthCheckServer health_;

  mutable std::mutex mutex_;
  std::set<std::string> dirty_;  // "namespace/name" of Services to translate again
  // Touched by the sync worker only:
  ProxyState desired_;
  std::map<std::string, std::pair<std::uint16_t, HealthTarget>> health_by_service_;
  std::set<FlowFilter> pending_flows_;  // deleted after the next successful apply
  SettledState settled_;                 // desired_ without clashing external addresses
  std::set<std::string> reported_clashes_;
  std::chrono::steady_clock::time_point last_sync_{};
  std::chrono::steady_clock::time_point next_allowed_{};
  bool synced_once_ = false;

  sdk::Histogram& sync_latency_;
  sdk::Counter& syncs_;
  sdk::Counter& sync_errors_;
  sdk::Counter& flows_deleted_;
  sdk::Gauge& rules_;
  sdk::Gauge& service_ports_;
  sdk::Gauge& last_sync_time_;
};

// Removes everything a proxy installed on this node (its table and route): `cleanup`.
void remove_proxy_state(const TableOptions& table, const std::optional<sdk::Ipv4Cidr>& service_cidr);

}  // namespace skiff::proxy
