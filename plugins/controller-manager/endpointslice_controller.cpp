// The EndpointSlice controller: informer events to Service keys, a sync per Service that plans
// the slices' writes and makes them (creations, then updates, then deletions).
#include "endpointslice_controller.hpp"

#include <spdlog/logger.h>

#include <set>

#include "service_pods.hpp"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::controllers {

namespace {

bool managed_by_us(const discovery::EndpointSlice& slice) {
  auto it = slice.metadata().labels().find(kSliceManagedByLabel);
  return it != slice.metadata().labels().end() && it->second == kSliceControllerName &&
         slice.metadata().labels().count(kServiceNameLabel);
}

std::string service_key_of(const discovery::EndpointSlice& slice) {
  return slice.metadata().namespace_() + "/" + slice.metadata().labels().at(kServiceNameLabel);
}

}  // namespace

void EndpointSliceController::register_handlers() {
  context_.informers.services().add_handlers([this](const auto& s) { enqueue(key_of(*s)); },
                                             [this](const auto&, const auto& s) { enqueue(key_of(*s)); },
                                             [this](const auto& s) { enqueue(key_of(*s)); });
  context_.informers.pods().add_handlers([this](const auto& p) { on_pod(p); },
                                         [this](const auto& old, const auto& p) {
                                           on_pod(old);
                                           on_pod(p);
                                         },
                                         [this](const auto& p) { on_pod(p); });
  // A node's zone feeds its endpoints; a node appearing lets its pods in.
  context_.informers.nodes().add_handlers([this](const auto& n) { on_node(n); },
                                          [this](const auto& old, const auto& n) {
                                            const auto& a = old->metadata().labels();
                                            const auto& b = n->metadata().labels();
                                            auto zone = [](const auto& labels) {
                                              auto it = labels.find(kZoneLabel);
                                              return it == labels.end() ? std::string() : it->second;
                                            };
                                            if (zone(a) != zone(b)) on_node(n);
                                          },
                                          [this](const auto& n) { on_node(n); });
  // Slices changed or removed by someone else are put right.
  context_.informers.endpoint_slices().add_handlers([this](const auto& s) { on_slice(s, false); },
                                                    [this](const auto&, const auto& s) { on_slice(s, false); },
                                                    [this](const auto& s) { on_slice(s, true); });
}

std::vector<std::string> EndpointSliceController::initial_keys() {
  std::set<std::string> keys;
  for (const auto& s : context_.informers.services().list()) keys.insert(key_of(*s));
  for (const auto& slice : context_.informers.endpoint_slices().list())
    if (managed_by_us(*slice)) keys.insert(service_key_of(*slice));
  return {keys.begin(), keys.end()};
}

void EndpointSliceController::on_pod(const PodPtr& pod) {
  for (const auto& service : context_.informers.services().by_index(sdk::kNamespaceIndex, pod->metadata().namespace_()))
    if (selects(*service, *pod)) enqueue(key_of(*service));
}

void EndpointSliceController::on_node(const NodePtr& node) {
  std::set<std::string> keys;
  for (const auto& pod : context_.informers.pods().by_index(kByNode, node->metadata().name()))
    for (const auto& service : context_.informers.services().by_index(sdk::kNamespaceIndex, pod->metadata().namespace_()))
      if (selects(*service, *pod)) keys.insert(key_of(*service));
  for (const auto& key : keys) enqueue(key);
}

void EndpointSliceController::on_slice(const SlicePtr& slice, bool deleted) {
  if (!managed_by_us(*slice)) return;
  if (deleted) tracker_.gone(service_key_of(*slice), slice->metadata().name());
  enqueue(service_key_of(*slice));
}

std::vector<SlicePtr> EndpointSliceController::slices_of(const std::string& service_key) {
  std::vector<SlicePtr> out;
  for (const auto& slice : context_.informers.endpoint_slices().by_index(kByService, service_key))
    if (managed_by_us(*slice) && slice->metadata().deletion_timestamp().empty()) out.push_back(slice);
  return out;
}

std::vector<NodePtr> EndpointSliceController::nodes_of(const std::vector<PodPtr>& pods) {
  std::set<std::string> names;
  for (const auto& pod : pods)
    if (!pod->spec().node_name().empty()) names.insert(pod->spec().node_name());
  std::vector<NodePtr> out;
  for (const auto& name : names)
    if (auto node = context_.informers.nodes().get("", name)) out.push_back(node);
  return out;
}

bool EndpointSliceController::sync(const std::string& key) {
  auto [ns, service_name] = split_key(key);
  auto service = context_.informers.services().get(ns, service_name);
  if (!service) {
    tracker_.forget(key);  // its slices are its dependents: the garbage collector removes them
    return true;
  }
  auto slices = slices_of(key);
  if (tracker_.stale(key, slices)) {
    enqueue_after(key, std::chrono::milliseconds(50));  // our last writes are still on their way to the cache
    return true;
  }
  DesiredEndpoints desired;
  std::vector<PodPtr> pods;
  // Without a selector (or as an ExternalName) a Service gets no slices from us; its endpoints
  // are someone else's to write.
  if (!service->spec().selector().empty() && service->spec().type() != "ExternalName") {
    for (const auto& pod : context_.informers.pods().by_index(sdk::kNamespaceIndex, ns))
      if (selects(*service, *pod)) pods.push_back(pod);
    desired = desired_endpoints(*service, pods, nodes_of(pods));
  }
  apply(key, plan_endpoint_slices(*service, desired, slices, max_endpoints_per_slice_));
  if (desired.pods_on_unknown_nodes.empty()) return true;
  context_.log.debug("{}: {}: pods on unknown nodes left out for now", name(), key);
  return false;  // again with back-off, until their nodes show up
}

void EndpointSliceController::apply(const std::string& key, const SlicePlan& plan) {
  // New endpoints first, removals last: consumers never see fewer endpoints than both states have.
  for (const auto& slice : plan.create) tracker_.written(key, context_.api.create(slice));
  for (const auto& slice : plan.update) tracker_.written(key, context_.api.update(slice));
  for (const auto& slice : plan.erase) {
    sdk::ApiDeleteOptions options;
    options.precondition_uid = slice.metadata().uid();
    try {
      context_.api.erase<discovery::EndpointSlice>(slice.metadata().namespace_(), slice.metadata().name(), options);
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) throw;
    }
    tracker_.erased(key, slice.metadata().name());
  }
}

}  // namespace skiff::controllers
