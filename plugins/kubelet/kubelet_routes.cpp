// Each route asks the bus for what it shows, so the same answers come from an in-process or an
// isolated plugin; /metrics asks the node's plugins at once, and skips those without metrics.
#include "kubelet_routes.hpp"

#include <future>

#include <boost/json/serialize.hpp>

#include "metrics_exposition.hpp"
#include "skiff/kernel/v1/kernel.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/k8s_json.hpp"
#include "resource_metrics.hpp"

namespace skiff::kubelet {
namespace {

using http_common::HttpRequest;
using http_common::HttpResponder;

constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kText = "text/plain; charset=utf-8";
constexpr std::chrono::milliseconds kBusTimeout{5000};

std::string bus_text(sdk::Bus& bus, const std::string& subject, std::string_view request, std::chrono::milliseconds timeout) {
  sdk::Reply reply = bus.request(subject, request, timeout);
  if (!reply.ok()) throw sdk::Error(sdk::Status::Unavailable("no answer on " + subject + ": " + reply.status.message));
  return reply.data;
}

}  // namespace

KubeletRoutes::KubeletRoutes(sdk::Bus& bus, const sdk::Subjects& subjects, std::string node, TokenReviewer& reviewer,
                             NodeAuthorizer authorize, spdlog::logger& log)
    : bus_(bus), subjects_(subjects), node_(std::move(node)), reviewer_(reviewer), authorize_(std::move(authorize)), log_(log) {}

void KubeletRoutes::handle(const HttpRequest& request, HttpResponder& response) {
  if (!admit(request, response)) return;
  const std::string& path = request.path;
  bool known = path == "/healthz" || path == "/metrics" || path == "/metrics/resource" || path == "/metrics/cadvisor" ||
               path == "/stats/summary";
  if (!known) return response.send(404, kText, "404 page not found\n");
  if (request.method_text != "GET" && request.method_text != "HEAD") return response.send(405, kText, "Method Not Allowed\n");
  try {
    if (path == "/healthz") return response.send(200, kText, "ok");
    if (path == "/metrics") return response.send(200, kPrometheusText, node_metrics());
    if (path == "/metrics/resource") return response.send(200, kPrometheusText, resource_metrics());
    if (path == "/metrics/cadvisor") return response.send(200, kPrometheusText, render_cadvisor_metrics(summary(false)));
    std::string only = request.query_value("only_cpu_and_memory");
    response.send(200, "application/json", boost::json::serialize(sdk::to_k8s_json(summary(only == "true" || only == "1"))));
  } catch (const sdk::Error& e) {
    log_.warn("GET {}: {}", path, e.what());
    response.send(e.status().code, kText, e.status().message + "\n");
  }
}

bool KubeletRoutes::admit(const HttpRequest& request, HttpResponder& response) {
  std::string token = bearer_token(request.header("Authorization"));
  if (token.empty()) {
    response.send(401, kText, "Unauthorized\n");
    return false;
  }
  TokenReview review = reviewer_.review(token);
  if (!review.answered) log_.warn("{} {}: cannot authenticate: {}", request.method_text, request.path, review.error);
  if (!review.caller) {
    response.send(401, kText, "Unauthorized\n");
    return false;
  }
  NodeRequestAttributes attributes = node_request_attributes(request.method_text, request.path, node_);
  if (!authorize_(*review.caller, attributes)) {
    response.send(403, kText,
                  "Forbidden (user=" + review.caller->user + ", verb=" + attributes.verb + ", resource=" +
                      attributes.resource + ", subresource(s)=[" + attributes.subresource + "])\n");
    return false;
  }
  return true;
}

std::string KubeletRoutes::node_metrics() {
  auto status = sdk::call<kernel::v1::NodeStatus>(bus_, subjects_.kernel_status(), kernel::v1::StatusRequest(), kBusTimeout);
  std::vector<std::pair<std::string, std::future<sdk::Reply>>> asked;
  for (const auto& plugin : status.plugins()) {
    if (plugin.state() != "running") continue;
    asked.emplace_back(plugin.name(), std::async(std::launch::async, [this, subject = subjects_.plugin_metrics(plugin.name())] {
                         return bus_.request(subject, "", std::chrono::milliseconds(2000));
                       }));
  }
  std::vector<ExpositionPart> parts{{bus_text(bus_, subjects_.kernel_metrics(), "", kBusTimeout), ""}};
  for (auto& [name, reply] : asked) {
    sdk::Reply answer = reply.get();
    if (answer.ok()) parts.push_back({answer.data, name});  // a plugin that never made a metric has no subject
  }
  return merge_expositions(parts);
}

Summary KubeletRoutes::summary(bool only_cpu_and_memory) {
  api::stats::v1alpha1::SummaryRequest request;
  request.set_only_cpu_and_memory(only_cpu_and_memory);
  std::string subject = subjects_.kubelet_on(node_, "stats_summary");
  Summary answer;
  if (!answer.ParseFromString(bus_text(bus_, subject, request.SerializeAsString(), kBusTimeout)))
    throw sdk::Error(sdk::Status::Internal("the answer on " + subject + " is not a stats Summary"));
  return answer;
}

std::string KubeletRoutes::resource_metrics() {
  return bus_text(bus_, subjects_.kubelet_on(node_, "metrics_resource"), "", kBusTimeout);
}

}  // namespace skiff::kubelet
