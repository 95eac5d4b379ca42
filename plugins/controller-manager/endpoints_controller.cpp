#include "endpoints_controller.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <map>

#include "pod_state.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::controllers {

namespace {

using PodPtr = std::shared_ptr<const core::Pod>;
// Marks the Endpoints this controller owns (it removes them when their Service goes).
constexpr const char* kManagedBy = "endpoints.kubernetes.io/managed-by";

// The container port a service port reaches on this pod; 0 when a named port is missing.
int target_port(const core::ServicePort& port, const core::Pod& pod) {
  const auto& target = port.target_port();
  if (target.type() == 0) return target.int_val() != 0 ? target.int_val() : port.port();
  for (const auto& c : pod.spec().containers())
    for (const auto& p : c.ports())
      if (p.name() == target.str_val() && (p.protocol().empty() ? "TCP" : p.protocol()) ==
                                              (port.protocol().empty() ? "TCP" : port.protocol()))
        return p.container_port();
  return 0;
}

bool selects(const core::Service& service, const core::Pod& pod) {
  if (service.spec().selector().empty() || pod.metadata().namespace_() != service.metadata().namespace_()) return false;
  return sdk::LabelSelector::from_map(service.spec().selector()).matches(pod.metadata().labels());
}

}  // namespace

std::vector<core::EndpointSubset> endpoint_subsets(const core::Service& service, const std::vector<PodPtr>& pods) {
  // Subsets keyed by the resolved ports, so that pods exposing a named port differently
  // land in different subsets, as Kubernetes does.
  std::map<std::vector<std::tuple<std::string, int, std::string>>, core::EndpointSubset> subsets;
  for (const auto& pod : pods) {
    if (pod->status().pod_ip().empty() || !pod->metadata().deletion_timestamp().empty()) continue;
    const auto& phase = pod->status().phase();
    if (phase == "Succeeded" || phase == "Failed") continue;
    std::vector<std::tuple<std::string, int, std::string>> ports;
    bool resolved = true;
    for (const auto& sp : service.spec().ports()) {
      int port = target_port(sp, *pod);
      if (port == 0) resolved = false;
      ports.emplace_back(sp.name(), port, sp.protocol().empty() ? "TCP" : sp.protocol());
    }
    if (!resolved) continue;
    auto& subset = subsets[ports];
    if (subset.ports().empty())
      for (const auto& [name, port, protocol] : ports) {
        auto* p = subset.add_ports();
        p->set_name(name);
        p->set_port(port);
        p->set_protocol(protocol);
      }
    auto* address = is_ready(*pod) ? subset.add_addresses() : subset.add_not_ready_addresses();
    address->set_ip(pod->status().pod_ip());
    if (!pod->spec().node_name().empty()) address->set_node_name(pod->spec().node_name());
    auto* ref = address->mutable_target_ref();
    ref->set_kind("Pod");
    ref->set_namespace_(pod->metadata().namespace_());
    ref->set_name(pod->metadata().name());
    ref->set_uid(pod->metadata().uid());
  }
  std::vector<core::EndpointSubset> out;
  for (auto& [ports, subset] : subsets) {
    auto by_ip = [](const core::EndpointAddress& a, const core::EndpointAddress& b) { return a.ip() < b.ip(); };
    std::sort(subset.mutable_addresses()->begin(), subset.mutable_addresses()->end(), by_ip);
    std::sort(subset.mutable_not_ready_addresses()->begin(), subset.mutable_not_ready_addresses()->end(), by_ip);
    out.push_back(std::move(subset));
  }
  return out;
}

void EndpointsController::register_handlers() {
  context_.informers.services().add_handlers([this](const auto& s) { enqueue(key_of(*s)); },
                                             [this](const auto&, const auto& s) { enqueue(key_of(*s)); },
                                             [this](const auto& s) { enqueue(key_of(*s)); });
  context_.informers.pods().add_handlers([this](const auto& p) { on_pod(p); },
                                         [this](const auto& old, const auto& p) {
                                           on_pod(old);
                                           on_pod(p);
                                         },
                                         [this](const auto& p) { on_pod(p); });
  context_.informers.endpoints();  // read in sync
}

std::vector<std::string> EndpointsController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& s : context_.informers.services().list()) keys.push_back(key_of(*s));
  // Endpoints whose Service is gone are removed too.
  for (const auto& e : context_.informers.endpoints().list()) keys.push_back(key_of(*e));
  return keys;
}

void EndpointsController::on_pod(const PodPtr& pod) {
  for (const auto& service : context_.informers.services().by_index(sdk::kNamespaceIndex, pod->metadata().namespace_()))
    if (selects(*service, *pod)) enqueue(key_of(*service));
}

bool EndpointsController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto service = context_.informers.services().get(ns, name);
  auto current = context_.informers.endpoints().get(ns, name);
  if (!service) {
    // Only Endpoints this controller would have made: those of a selector Service.
    if (current && current->metadata().labels().count(kManagedBy)) {
      try {
        context_.api.erase<core::Endpoints>(ns, name);
      } catch (const sdk::Error& e) {
        if (e.status().code != 404) throw;
      }
    }
    return true;
  }
  if (service->spec().selector().empty()) return true;  // Endpoints written by hand

  std::vector<PodPtr> pods;
  for (const auto& pod : context_.informers.pods().by_index(sdk::kNamespaceIndex, ns))
    if (selects(*service, *pod)) pods.push_back(pod);
  core::Endpoints desired;
  desired.mutable_metadata()->set_name(name);
  desired.mutable_metadata()->set_namespace_(ns);
  *desired.mutable_metadata()->mutable_labels() = service->metadata().labels();
  (*desired.mutable_metadata()->mutable_labels())[kManagedBy] = "endpoint-controller";
  for (auto& subset : endpoint_subsets(*service, pods)) *desired.add_subsets() = std::move(subset);

  if (!current) {
    try {
      context_.api.create(desired);
    } catch (const sdk::Error& e) {
      if (e.status().code != 409) throw;
      return false;  // created meanwhile: sync again with it in the cache
    }
    return true;
  }
  core::Endpoints have = *current, want = desired;
  have.clear_metadata();
  want.clear_metadata();
  bool same = google::protobuf::util::MessageDifferencer::Equals(have, want);
  for (const auto& [k, v] : desired.metadata().labels()) {
    auto it = current->metadata().labels().find(k);
    same = same && it != current->metadata().labels().end() && it->second == v;
  }
  if (same) return true;
  core::Endpoints next = desired;
  next.mutable_metadata()->set_resource_version(current->metadata().resource_version());
  context_.api.update(next);
  return true;
}

}  // namespace skiff::controllers
