#include "skiff/sdk/scheduling/node_info.hpp"

#include <algorithm>

#include "skiff/sdk/quantity.hpp"

namespace skiff::sdk::scheduling {
namespace {

constexpr std::int64_t kDefaultMilliCpu = 100;                 // Kubernetes' DefaultMilliCPURequest
constexpr std::int64_t kDefaultMemory = 200LL * 1024 * 1024;   // DefaultMemoryRequest
constexpr std::int64_t kDefaultPods = 110;

template <class Map>
std::int64_t quantity_of(const Map& map, const char* name, bool milli) {
  auto it = map.find(name);
  if (it == map.end()) return 0;
  auto value = milli ? parse_quantity_milli(it->second) : parse_quantity(it->second);
  return value.value_or(0);
}

Resources container_requests(const api::core::v1::Container& c, bool with_defaults) {
  const auto& requests = c.resources().requests();
  Resources r;
  r.milli_cpu = quantity_of(requests, "cpu", true);
  r.memory = quantity_of(requests, "memory", false);
  if (with_defaults) {
    if (requests.find("cpu") == requests.end()) r.milli_cpu = kDefaultMilliCpu;
    if (requests.find("memory") == requests.end()) r.memory = kDefaultMemory;
  }
  return r;
}

Resources requests_of(const api::core::v1::Pod& pod, bool with_defaults) {
  Resources total;
  for (const auto& c : pod.spec().containers()) total += container_requests(c, with_defaults);
  for (const auto& c : pod.spec().init_containers()) {
    Resources init = container_requests(c, with_defaults);
    total.milli_cpu = std::max(total.milli_cpu, init.milli_cpu);
    total.memory = std::max(total.memory, init.memory);
  }
  total.pods = 1;
  return total;
}

}  // namespace

Resources pod_requests(const api::core::v1::Pod& pod) { return requests_of(pod, false); }
Resources pod_requests_for_scoring(const api::core::v1::Pod& pod) { return requests_of(pod, true); }

Resources node_allocatable(const api::core::v1::Node& node) {
  const auto& status = node.status();
  const auto& source = status.allocatable().empty() ? status.capacity() : status.allocatable();
  Resources r;
  r.milli_cpu = quantity_of(source, "cpu", true);
  r.memory = quantity_of(source, "memory", false);
  r.pods = source.find("pods") == source.end() ? kDefaultPods : quantity_of(source, "pods", false);
  return r;
}

bool HostPort::clashes_with(const HostPort& other) const {
  if (port != other.port || protocol != other.protocol) return false;
  return ip == other.ip || ip == "0.0.0.0" || other.ip == "0.0.0.0";
}

PodInfo::PodInfo(PodPtr p) : pod(std::move(p)) {
  key = pod->metadata().namespace_() + "/" + pod->metadata().name();
  requests = pod_requests(*pod);
  scoring_requests = pod_requests_for_scoring(*pod);
  for (const auto& c : pod->spec().containers())
    for (const auto& port : c.ports())
      if (port.host_port() > 0)
        host_ports.push_back({port.protocol().empty() ? "TCP" : port.protocol(),
                              port.host_ip().empty() ? "0.0.0.0" : port.host_ip(), port.host_port()});
  for (const auto& owner : pod->metadata().owner_references())
    if (owner.controller()) owner_uid = owner.uid();
  has_required_anti_affinity =
      !pod->spec().affinity().pod_anti_affinity().required_during_scheduling_ignored_during_execution().empty();
}

const std::vector<const api::core::v1::Taint*> NodeInfo::kNoTaints;

NodeInfo::NodeInfo(NodePtr node) { set_node(std::move(node)); }

void NodeInfo::set_node(NodePtr node) {
  node_ = std::move(node);
  name_ = node_->metadata().name();
  allocatable_ = node_allocatable(*node_);
  auto facts = std::make_shared<Facts>();
  facts->labels = {node_->metadata().labels().begin(), node_->metadata().labels().end()};
  label_set_ = LabelSet::from(node_->metadata().labels());
  for (const auto& taint : node_->spec().taints()) {
    if (taint.effect() == "NoSchedule" || taint.effect() == "NoExecute") facts->hard_taints.push_back(&taint);
    else if (taint.effect() == "PreferNoSchedule") facts->soft_taints.push_back(&taint);
  }
  facts_ = std::move(facts);
  unschedulable_ = node_->spec().unschedulable();
  has_taints_ = !node_->spec().taints().empty();
}

void NodeInfo::add_pod(PodInfoPtr pod) {
  requested_ += pod->requests;
  scoring_requested_ += pod->scoring_requests;
  used_ports_.insert(used_ports_.end(), pod->host_ports.begin(), pod->host_ports.end());
  if (pod->has_required_anti_affinity) repelling_.push_back(pod);
  pods_.push_back(std::move(pod));
}

bool NodeInfo::remove_pod(const std::string& key) {
  auto it = std::find_if(pods_.begin(), pods_.end(), [&](const PodInfoPtr& p) { return p->key == key; });
  if (it == pods_.end()) return false;
  requested_ -= (*it)->requests;
  scoring_requested_ -= (*it)->scoring_requests;
  for (const auto& port : (*it)->host_ports) {
    auto used = std::find_if(used_ports_.begin(), used_ports_.end(), [&](const HostPort& u) {
      return u.port == port.port && u.protocol == port.protocol && u.ip == port.ip;
    });
    if (used != used_ports_.end()) used_ports_.erase(used);
  }
  if ((*it)->has_required_anti_affinity)
    repelling_.erase(std::remove(repelling_.begin(), repelling_.end(), *it), repelling_.end());
  pods_.erase(it);
  return true;
}

}  // namespace skiff::sdk::scheduling
