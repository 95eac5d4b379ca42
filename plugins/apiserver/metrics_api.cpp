#include "metrics_api.hpp"

#include <boost/json.hpp>

#include "api_error.hpp"
#include "skiff/api/metrics/v1beta1/metrics.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/k8s_json.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace metrics = api::metrics::v1beta1;

// A provider that answered is trusted for a while; asking "is nobody there" is cheap (NATS
// answers no-responders at once), so a new provider shows up quickly.
constexpr std::chrono::seconds kRecheckPresent{5};
constexpr std::chrono::seconds kRecheckMissing{1};
constexpr std::chrono::milliseconds kProbeTimeout{500};
constexpr std::chrono::seconds kTimeout{10};
constexpr const char* kGroupVersion = "metrics.k8s.io/v1beta1";

json::object resource_entry(const char* name, const char* kind, bool namespaced) {
  json::object r;
  r["name"] = name;
  r["singularName"] = "";
  r["namespaced"] = namespaced;
  r["kind"] = kind;
  r["verbs"] = json::array{"get", "list"};
  return r;
}

void send_json(HttpResponder& response, unsigned status, const json::value& body) {
  response.send(status, "application/json", json::serialize(body));
}

template <class Item>
json::value encode_item(const std::string& bytes, const char* kind) {
  Item item;
  if (!item.ParseFromString(bytes))
    throw ApiError(sdk::Status::Internal("the metrics provider sent a malformed " + std::string(kind)));
  json::object object = sdk::to_k8s_json(item).as_object();
  json::object out;
  out["kind"] = kind;
  out["apiVersion"] = kGroupVersion;
  for (auto& [key, value] : object) out[key] = std::move(value);
  if (!out.contains("metadata")) out["metadata"] = json::object{};
  return out;
}

}  // namespace

bool MetricsApi::available() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (now - checked_ < (available_ ? kRecheckPresent : kRecheckMissing)) return available_;
  metrics::MetricsRequest probe;
  probe.set_name("-");  // no object has this name: a cheap answer
  sdk::Reply reply = bus_.request(subjects_.resource_metrics("nodes"), probe.SerializeAsString(), kProbeTimeout);
  available_ = reply.ok();
  checked_ = now;
  return available_;
}

json::value MetricsApi::resource_list() const {
  json::object doc;
  doc["kind"] = "APIResourceList";
  doc["apiVersion"] = "v1";
  doc["groupVersion"] = kGroupVersion;
  doc["resources"] = json::array{resource_entry("nodes", "NodeMetrics", false), resource_entry("pods", "PodMetrics", true)};
  return doc;
}

void MetricsApi::handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response) {
  auto not_found = [&] {
    throw ApiError(sdk::Status::NotFound("the server could not find the requested resource"));
  };
  if (info.version != "v1beta1" || !available()) not_found();
  if (!info.is_resource) return send_json(response, 200, resource_list());
  bool nodes = info.resource == "nodes";
  if ((!nodes && info.resource != "pods") || !info.subresource.empty() || (nodes && !info.namespace_.empty()))
    not_found();
  if (info.verb != "get" && info.verb != "list")
    throw ApiError(sdk::Status{405, "MethodNotAllowed", "metrics are read-only: only get and list are allowed"});

  metrics::MetricsRequest ask;
  ask.set_namespace_(info.namespace_);
  ask.set_name(info.name);
  ask.set_label_selector(request.query_value("labelSelector"));
  auto answer = sdk::call<metrics::MetricsResponse>(bus_, subjects_.resource_metrics(info.resource), ask, kTimeout);
  const char* kind = nodes ? "NodeMetrics" : "PodMetrics";
  auto encode = [&](const std::string& bytes) {
    return nodes ? encode_item<metrics::NodeMetrics>(bytes, kind) : encode_item<metrics::PodMetrics>(bytes, kind);
  };
  if (info.verb == "get") {
    if (answer.items().empty())
      throw ApiError(sdk::Status::NotFound(std::string(nodes ? "nodemetrics" : "podmetrics") + ".metrics.k8s.io \"" +
                                           info.name + "\" not found"));
    return send_json(response, 200, encode(answer.items(0)));
  }
  json::array items;
  for (const auto& bytes : answer.items()) items.push_back(encode(bytes));
  json::object list;
  list["kind"] = std::string(kind) + "List";
  list["apiVersion"] = kGroupVersion;
  list["metadata"] = json::object{};
  list["items"] = std::move(items);
  send_json(response, 200, list);
}

}  // namespace skiff::apiserver
