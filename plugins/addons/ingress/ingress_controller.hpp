// Keeps the proxy's routes equal to the cluster: informers on Ingresses, IngressClasses,
// Services, EndpointSlices and (TLS) Secrets; any change marks one key, and the pass it
// triggers builds the whole RouteTable again and swaps it in (set_routes), reports problems
// and writes the served Ingresses' status. A Node informer (addresses only) tells which
// nodes left the cluster: their addresses are taken out of the status by the nodes that stay.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ingress_adapter.hpp"
#include "ingress_status.hpp"
#include "problem_reporter.hpp"
#include "proxy_server.hpp"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/event_recorder.hpp"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/work_queue.hpp"

namespace spdlog {
class logger;
}

namespace skiff::ingress {

struct ControllerOptions {
  std::string node;
  std::string ingress_class = "skiff";
  bool create_class = true;
  bool default_class = true;
  RouteOptions route_defaults;
  std::vector<std::string> status_addresses;  // specific listen addresses; empty: the Node's InternalIP
};

class IngressController {
 public:
  IngressController(sdk::Bus& bus, const sdk::Subjects& subjects, ControllerOptions options, ProxyServer& proxy,
                    spdlog::logger& log);
  ~IngressController();

  void start();
  void stop();
  bool synced() const;
  // "2 Ingresses served, 5 routes, 1 problem" (for health).
  std::string state() const;
  // Passes that swapped a table in (tests wait on it).
  std::uint64_t passes() const { return passes_; }

 private:
  bool pass();
  void ensure_class();
  std::vector<IngressPtr> served_ingresses(std::vector<IngressPtr>& others) const;
  ObjectLookup lookup() const;
  // False when a status could not be written yet (retried).
  bool write_statuses(const std::vector<IngressPtr>& served, const std::vector<IngressPtr>& others);
  void changed() { queue_.add("pass"); }
  void node_deleted(const api::core::v1::Node& node);
  // Addresses of deleted Nodes that no Node (and not this one) has now.
  std::vector<std::string> departed_addresses();

  ControllerOptions options_;
  ProxyServer& proxy_;
  spdlog::logger& log_;
  sdk::ApiClient api_;
  sdk::EventRecorder events_;
  ProblemReporter problems_;
  IngressStatusWriter status_;
  sdk::Informer<api::networking::v1::Ingress> ingresses_;
  sdk::Informer<api::networking::v1::IngressClass> classes_;
  sdk::Informer<api::core::v1::Service> services_;
  sdk::Informer<api::discovery::v1::EndpointSlice> slices_;
  sdk::Informer<api::core::v1::Secret> secrets_;
  sdk::Informer<api::core::v1::Node> nodes_;
  std::mutex departed_mutex_;
  std::set<std::string> departed_;  // InternalIPs of Nodes deleted while this addon ran
  sdk::WorkQueue queue_;
  bool class_ready_ = false;
  std::set<std::string> refused_certificates_;
  mutable std::mutex state_mutex_;
  std::string state_ = "starting";
  std::atomic<std::uint64_t> passes_{0};
};

}  // namespace skiff::ingress
