// The Endpoints controller: each selector Service's pods as Endpoints subsets.
#include "endpoints_controller.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <map>
#include <tuple>

#include "pod_state.hpp"
#include "service_pods.hpp"

namespace skiff::controllers {

namespace {

using PodPtr = std::shared_ptr<const core::Pod>;
// Marks the Endpoints this controller owns (it removes them when their Service goes).
constexpr const char* kManagedBy = "endpoints.kubernetes.io/managed-by";

// Kubernetes' ShouldPodBeInEndpoints: not finished, has an IP, and not being deleted unless
// the Service publishes not-ready addresses.
bool in_endpoints(const core::Pod& pod, bool publish_not_ready) {
  const auto& phase = pod.status().phase();
  if (phase == "Succeeded" || phase == "Failed") return false;
  if (pod.status().pod_ip().empty()) return false;
  return publish_not_ready || pod.metadata().deletion_timestamp().empty();
}

core::EndpointAddress address_of(const core::Pod& pod) {
  core::EndpointAddress address;
  address.set_ip(pod.status().pod_ip());
  if (!pod.spec().node_name().empty()) address.set_node_name(pod.spec().node_name());
  auto* ref = address.mutable_target_ref();
  ref->set_kind("Pod");
  ref->set_namespace_(pod.metadata().namespace_());
  ref->set_name(pod.metadata().name());
  ref->set_uid(pod.metadata().uid());
  return address;
}

// An endpoint port (name, port, protocol); port -1 stands for "no ports" (a headless Service).
using PortKey = std::tuple<std::string, int, std::string>;
// Addresses by (ip, pod uid), each ready or not.
using AddressSet = std::map<std::pair<std::string, std::string>, bool>;

}  // namespace

std::vector<core::EndpointSubset> endpoint_subsets(const core::Service& service, const std::vector<PodPtr>& pods) {
  bool publish_not_ready = service.spec().publish_not_ready_addresses();
  bool headless = service.spec().cluster_ip() == "None";
  // Each port with the addresses that offer it (Kubernetes' RepackSubsets) …
  std::map<PortKey, AddressSet> by_port;
  std::map<std::pair<std::string, std::string>, core::EndpointAddress> addresses;
  for (const auto& pod : pods) {
    if (!in_endpoints(*pod, publish_not_ready)) continue;
    std::pair<std::string, std::string> key{pod->status().pod_ip(), pod->metadata().uid()};
    bool ready = publish_not_ready || is_ready(*pod);
    auto offer = [&](const PortKey& port) {
      addresses.emplace(key, address_of(*pod));
      auto [it, fresh] = by_port[port].emplace(key, ready);
      if (!fresh && !it->second) it->second = ready;
    };
    if (service.spec().ports().empty()) {
      if (headless) offer({"", -1, ""});
      continue;
    }
    for (const auto& sp : service.spec().ports()) {
      int port = find_port(sp, *pod);
      if (port != 0) offer({sp.name(), port, sp.protocol().empty() ? "TCP" : sp.protocol()});
    }
  }
  // … then the ports offered by exactly the same addresses share a subset.
  std::map<AddressSet, std::vector<PortKey>> by_addresses;
  for (const auto& [port, set] : by_port) by_addresses[set].push_back(port);
  std::vector<core::EndpointSubset> out;
  for (const auto& [set, ports] : by_addresses) {
    core::EndpointSubset subset;
    for (const auto& [name, number, protocol] : ports) {
      if (number < 0) continue;
      auto* p = subset.add_ports();
      p->set_name(name);
      p->set_port(number);
      p->set_protocol(protocol);
    }
    for (const auto& [key, ready] : set)
      *(ready ? subset.add_addresses() : subset.add_not_ready_addresses()) = addresses.at(key);
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
