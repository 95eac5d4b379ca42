// ServiceController: finalizer first (so a delete always reaches us), then the provider.
#include "service_controller.hpp"

#include "load_balancer_service.hpp"
#include "node_initialization.hpp"

namespace skiff::cloud_controllers {

namespace core = api::core::v1;
using controllers::key_of;

namespace {

bool concerns_us(const core::Service& service) {
  return service.spec().type() == "LoadBalancer" || has_cleanup_finalizer(service);
}

// A node joining, leaving, or changing readiness changes who carries load balancer traffic.
bool load_balancer_relevant_change(const core::Node& before, const core::Node& after) {
  return is_ready(before) != is_ready(after) ||
         before.metadata().labels().count(kExcludeFromLoadBalancersLabel) !=
             after.metadata().labels().count(kExcludeFromLoadBalancersLabel);
}

std::vector<core::Node> nodes_of(controllers::SharedInformers& informers) {
  std::vector<core::Node> nodes;
  for (const auto& node : informers.nodes().list()) nodes.push_back(*node);
  return load_balancer_nodes(nodes);
}

}  // namespace

void ServiceController::register_handlers() {
  context_.informers.services().add_handlers(
      [this](const auto& service) {
        if (concerns_us(*service)) enqueue(key_of(*service));
      },
      [this](const auto&, const auto& service) {
        if (concerns_us(*service)) enqueue(key_of(*service));
      },
      [this](const auto&) { enqueue_pending(); });
  context_.informers.nodes().add_handlers([this](const auto&) { enqueue_load_balancers(); },
                                          [this](const auto& before, const auto& after) {
                                            if (load_balancer_relevant_change(*before, *after)) enqueue_load_balancers();
                                          },
                                          [this](const auto&) { enqueue_load_balancers(); });
}

std::vector<std::string> ServiceController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& service : context_.informers.services().list())
    if (concerns_us(*service)) keys.push_back(key_of(*service));
  return keys;
}

void ServiceController::enqueue_load_balancers() {
  for (const auto& service : context_.informers.services().list())
    if (wants_load_balancer(*service)) enqueue(key_of(*service));
}

void ServiceController::enqueue_pending() {
  for (const auto& service : context_.informers.services().list())
    if (wants_load_balancer(*service) && service->status().load_balancer().ingress().empty()) enqueue(key_of(*service));
}

bool ServiceController::sync(const std::string& key) {
  auto [ns, name] = controllers::split_key(key);
  auto service = context_.informers.services().get(ns, name);
  if (!service) return true;
  if (!provider_.capabilities().load_balancer()) return true;  // a provider without load balancers: none to make
  return wants_load_balancer(*service) ? ensure(*service) : clean_up(*service);
}

bool ServiceController::ensure(const core::Service& service) {
  if (!has_cleanup_finalizer(service)) {
    context_.api.update(with_cleanup_finalizer(service, true));  // its update event brings the key back
    return true;
  }
  core::LoadBalancerStatus status;
  try {
    status = provider_.client().ensure_load_balancer(service, nodes_of(context_.informers));
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;
    // Not now (address taken, pool exhausted): said once; a released address brings it back.
    events_.record(service, "Warning", e.status().reason, e.status().message);
    return true;
  }
  if (same_status(status, service.status().load_balancer())) return true;
  core::Service updated = service;
  *updated.mutable_status()->mutable_load_balancer() = status;
  context_.api.update(updated, "status");
  events_.record(service, "Normal", "EnsuredLoadBalancer", "Ensured load balancer");
  return true;
}

bool ServiceController::clean_up(const core::Service& service) {
  if (!has_cleanup_finalizer(service)) return true;
  provider_.client().ensure_load_balancer_deleted(service);
  core::Service current = service;
  if (!service.status().load_balancer().ingress().empty()) {
    current.mutable_status()->clear_load_balancer();
    current = context_.api.update(current, "status");
  }
  context_.api.update(with_cleanup_finalizer(current, false));
  events_.record(service, "Normal", "DeletedLoadBalancer", "Deleted load balancer");
  enqueue_pending();
  return true;
}

}  // namespace skiff::cloud_controllers
