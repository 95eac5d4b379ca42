// Reads PodMetrics from the metrics provider on the bus and sums them per pod.
#include "hpa_metrics.hpp"

#include "skiff/api/metrics/v1beta1/metrics.pb.h"
#include "skiff/sdk/duration.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {
namespace {

namespace m = api::metrics::v1beta1;

constexpr std::chrono::seconds kTimeout{5};

// What Kubernetes' client says when no metrics API answers (metrics-server not installed).
std::string unreachable(const sdk::Status& status) {
  if (status.code == 503 || status.code == 404)
    return "unable to fetch metrics from resource metrics API: the server could not find the requested resource "
           "(get pods.metrics.k8s.io)";
  return "unable to fetch metrics from resource metrics API: " + status.message;
}

std::optional<PodMetric> sum_of(const m::PodMetrics& pod, const std::string& resource, const std::string& container) {
  if (pod.containers().empty()) return std::nullopt;
  PodMetric out;
  for (const auto& c : pod.containers()) {
    if (!container.empty() && c.name() != container) continue;
    auto usage = c.usage().find(resource);
    if (usage == c.usage().end()) return std::nullopt;
    auto milli = sdk::parse_quantity_milli(usage->second);
    if (!milli) return std::nullopt;
    out.value += *milli;
  }
  out.times.timestamp = sdk::parse_rfc3339(pod.timestamp()).value_or(std::chrono::system_clock::now());
  auto window = sdk::parse_duration(pod.window());
  out.times.window = std::chrono::duration_cast<std::chrono::seconds>(window.value_or(std::chrono::milliseconds(0)));
  return out;
}

}  // namespace

std::variant<PodMetrics, std::string> ResourceMetricsClient::resource_metric(const std::string& resource,
                                                                             const std::string& ns,
                                                                             const std::string& selector,
                                                                             const std::string& container) const {
  m::MetricsRequest ask;
  ask.set_namespace_(ns);
  ask.set_label_selector(selector);
  sdk::Reply reply = bus_.request(subjects_.resource_metrics("pods"), ask.SerializeAsString(), kTimeout);
  if (!reply.ok()) return unreachable(reply.status);
  m::MetricsResponse answer;
  if (!answer.ParseFromString(reply.data))
    return std::string("unable to fetch metrics from resource metrics API: the provider's answer is not a MetricsResponse");
  if (answer.items().empty()) return std::string("no metrics returned from resource metrics API");
  PodMetrics out;
  for (const auto& bytes : answer.items()) {
    m::PodMetrics pod;
    if (!pod.ParseFromString(bytes)) continue;
    if (auto metric = sum_of(pod, resource, container)) out[pod.metadata().name()] = *metric;
  }
  return out;
}

}  // namespace skiff::controllers
