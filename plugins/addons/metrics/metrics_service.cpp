// Label selectors are resolved by listing the selected Nodes or Pods through the API when a
// request carries one: the addon keeps no copy of every pod's labels just for that.
#include "metrics_service.hpp"

#include <set>

#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/bus_proto.hpp"

namespace skiff::metrics {
namespace {

namespace m = api::metrics::v1beta1;
using sdk::WallClock;

void fill_usage(google::protobuf::Map<std::string, std::string>& map, std::uint64_t nano_cores, std::uint64_t memory) {
  map["cpu"] = cpu_quantity(nano_cores);
  map["memory"] = memory_quantity(memory);
}

template <class T>
std::set<std::string> selected(sdk::Bus& bus, const sdk::Subjects& subjects, const m::MetricsRequest& request) {
  sdk::ApiClient api(bus, subjects);
  std::set<std::string> keys;
  for (const auto& object : api.list<T>(request.namespace_(), request.label_selector()))
    keys.insert(object.metadata().namespace_() + "/" + object.metadata().name());
  return keys;
}

}  // namespace

std::string cpu_quantity(std::uint64_t nano_cores) { return std::to_string(nano_cores) + "n"; }

std::string memory_quantity(std::uint64_t bytes) {
  return bytes % 1024 == 0 ? std::to_string(bytes / 1024) + "Ki" : std::to_string(bytes);
}

std::string window_text(std::chrono::milliseconds window) {
  auto ms = window.count();
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    text += "." + fraction;
  }
  return text + "s";
}

m::NodeMetrics node_metrics(const NodeUsage& usage) {
  m::NodeMetrics out;
  out.mutable_metadata()->set_name(usage.name);
  out.mutable_metadata()->set_creation_timestamp(sdk::now_rfc3339());
  out.set_timestamp(sdk::format_rfc3339(usage.usage.timestamp));
  out.set_window(window_text(usage.usage.window));
  fill_usage(*out.mutable_usage(), usage.usage.nano_cores, usage.usage.memory_bytes);
  return out;
}

m::PodMetrics pod_metrics(const PodUsage& usage) {
  m::PodMetrics out;
  out.mutable_metadata()->set_name(usage.name);
  out.mutable_metadata()->set_namespace_(usage.namespace_);
  out.mutable_metadata()->set_creation_timestamp(sdk::now_rfc3339());
  out.set_timestamp(sdk::format_rfc3339(usage.usage.timestamp));
  out.set_window(window_text(usage.usage.window));
  for (const auto& container : usage.containers) {
    auto* c = out.add_containers();
    c->set_name(container.name);
    fill_usage(*c->mutable_usage(), container.nano_cores, container.memory_bytes);
  }
  return out;
}

MetricsService::MetricsService(sdk::Bus& bus, const sdk::Subjects& subjects, const UsageStore& store)
    : bus_(bus), subjects_(subjects), store_(store) {}

void MetricsService::start() {
  services_.push_back(sdk::serve_proto<m::MetricsRequest>(bus_, subjects_.resource_metrics("nodes"), "metrics",
                                                          [this](const m::MetricsRequest& r, const sdk::Request&) { return nodes(r); }));
  services_.push_back(sdk::serve_proto<m::MetricsRequest>(bus_, subjects_.resource_metrics("pods"), "metrics",
                                                          [this](const m::MetricsRequest& r, const sdk::Request&) { return pods(r); }));
}

void MetricsService::stop() { services_.clear(); }

m::MetricsResponse MetricsService::nodes(const m::MetricsRequest& request) const {
  std::set<std::string> chosen;
  bool by_label = !request.label_selector().empty();
  if (by_label) chosen = selected<api::core::v1::Node>(bus_, subjects_, request);
  m::MetricsResponse response;
  for (const auto& usage : store_.nodes()) {
    if (!request.name().empty() && usage.name != request.name()) continue;
    if (by_label && !chosen.contains("/" + usage.name)) continue;
    response.add_items(node_metrics(usage).SerializeAsString());
  }
  return response;
}

m::MetricsResponse MetricsService::pods(const m::MetricsRequest& request) const {
  std::set<std::string> chosen;
  bool by_label = !request.label_selector().empty();
  if (by_label) chosen = selected<api::core::v1::Pod>(bus_, subjects_, request);
  m::MetricsResponse response;
  for (const auto& usage : store_.pods()) {
    if (!request.namespace_().empty() && usage.namespace_ != request.namespace_()) continue;
    if (!request.name().empty() && usage.name != request.name()) continue;
    if (by_label && !chosen.contains(usage.namespace_ + "/" + usage.name)) continue;
    response.add_items(pod_metrics(usage).SerializeAsString());
  }
  return response;
}

}  // namespace skiff::metrics
