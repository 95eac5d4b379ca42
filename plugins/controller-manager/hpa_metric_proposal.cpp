// Resource and ContainerResource metrics from the metrics provider; Pods, Object and External
// metrics need a custom or external metrics API, which Skiff does not serve yet.
#include "hpa_metric_proposal.hpp"

#include "skiff/sdk/quantity.hpp"

namespace skiff::controllers {
namespace {

namespace as = api::autoscaling::v2;
namespace core = api::core::v1;

// calculatePodRequests: every container (or the named one) must request the resource.
std::variant<std::map<std::string, std::int64_t>, std::string> pod_requests(const MetricContext& context,
                                                                           const std::string& resource,
                                                                           const std::string& container) {
  std::map<std::string, std::int64_t> requests;
  for (const auto& pod : context.pods) {
    std::int64_t sum = 0;
    std::vector<const core::Container*> containers;
    for (const auto& c : pod->spec().containers()) containers.push_back(&c);
    for (const auto& c : pod->spec().init_containers())
      if (c.restart_policy() == "Always") containers.push_back(&c);  // sidecars run alongside
    for (const auto* c : containers) {
      if (!container.empty() && c->name() != container) continue;
      auto request = c->resources().requests().find(resource);
      auto milli = request == c->resources().requests().end() ? std::nullopt : sdk::parse_quantity_milli(request->second);
      if (!milli)
        return "missing request for " + resource + " in container " + c->name() + " of Pod " + pod->metadata().name();
      sum += *milli;
    }
    requests[pod->metadata().name()] = sum;
  }
  return requests;
}

std::vector<PodUsage> usages_of(const MetricContext& context, const PodMetrics& metrics, bool cpu,
                                const std::map<std::string, std::int64_t>& requests) {
  std::vector<PodUsage> out;
  for (const auto& pod : context.pods) {
    PodUsage usage;
    usage.name = pod->metadata().name();
    auto sample = metrics.find(usage.name);
    std::optional<PodSampleTimes> times;
    if (sample != metrics.end()) {
      times = sample->second.times;
      usage.usage = sample->second.value;
    }
    usage.group = group_pod(*pod, times, cpu, context.cpu, context.now);
    if (auto r = requests.find(usage.name); r != requests.end()) usage.request = r->second;
    out.push_back(usage);
  }
  return out;
}

// Resource and ContainerResource (container non-empty) sources.
std::variant<MetricProposal, MetricFailure> resource_proposal(const std::string& name, const std::string& container,
                                                              const as::MetricTarget& target, const MetricContext& context) {
  const bool per_container = !container.empty();
  const std::string reason = per_container ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
  const bool utilization = target.average_value().empty();
  const std::string failed = "failed to get " + name + (utilization ? " utilization: " : " usage: ");
  auto fetched = context.metrics.resource_metric(name, context.ns, context.selector, container);
  if (auto* error = std::get_if<std::string>(&fetched))
    return MetricFailure{reason, failed + "unable to get metrics for resource " + name + ": " + *error};
  const auto& metrics = std::get<PodMetrics>(fetched);

  std::map<std::string, std::int64_t> requests;
  if (utilization) {
    auto found = pod_requests(context, name, container);
    if (auto* error = std::get_if<std::string>(&found)) return MetricFailure{reason, failed + *error};
    requests = std::get<0>(found);
  }
  auto pods = usages_of(context, metrics, name == "cpu", requests);
  auto computed = utilization
                      ? utilization_replicas(context.current, target.average_utilization(), pods, context.tolerance)
                      : average_value_replicas(context.current, sdk::parse_quantity_milli(target.average_value()).value_or(1),
                                               pods, context.tolerance);
  if (auto* error = std::get_if<std::string>(&computed)) return MetricFailure{reason, failed + *error};
  const auto& proposal = std::get<ReplicaProposal>(computed);

  MetricProposal out;
  out.replicas = proposal.replicas;
  out.metric = name + (per_container ? " container resource" : " resource") +
               (utilization ? " utilization (percentage of request)" : "");
  as::MetricValueStatus* current;
  if (per_container) {
    out.status.set_type("ContainerResource");
    out.status.mutable_container_resource()->set_name(name);
    out.status.mutable_container_resource()->set_container(container);
    current = out.status.mutable_container_resource()->mutable_current();
  } else {
    out.status.set_type("Resource");
    out.status.mutable_resource()->set_name(name);
    current = out.status.mutable_resource()->mutable_current();
  }
  current->set_average_value(milli_quantity(proposal.average_usage));
  if (proposal.utilization) current->set_average_utilization(*proposal.utilization);
  return out;
}

MetricFailure unserved(const std::string& reason, const std::string& metric, const std::string& api) {
  return {reason, "unable to get metric " + metric + ": no " + api +
                      " API is served in this cluster (Skiff's HPA reads cpu and memory from metrics.k8s.io)"};
}

}  // namespace

std::variant<MetricProposal, MetricFailure> propose_for_metric(const as::MetricSpec& spec, const MetricContext& context) {
  const std::string& type = spec.type();
  if (type == "Resource") return resource_proposal(spec.resource().name(), "", spec.resource().target(), context);
  if (type == "ContainerResource")
    return resource_proposal(spec.container_resource().name(), spec.container_resource().container(),
                             spec.container_resource().target(), context);
  if (type == "Pods") return unserved("FailedGetPodsMetric", spec.pods().metric().name(), "custom metrics (custom.metrics.k8s.io)");
  if (type == "Object")
    return unserved("FailedGetObjectMetric", spec.object().metric().name(), "custom metrics (custom.metrics.k8s.io)");
  if (type == "External")
    return unserved("FailedGetExternalMetric", spec.external().metric().name(), "external metrics (external.metrics.k8s.io)");
  return MetricFailure{"InvalidMetricSourceType", "unknown metric source type \"" + type + "\""};
}

Tolerance tolerance_of(const as::HorizontalPodAutoscaler& hpa, double controller_tolerance) {
  Tolerance t{controller_tolerance, controller_tolerance};
  const auto& behavior = hpa.spec().behavior();
  if (auto down = sdk::parse_quantity_milli(behavior.scale_down().tolerance()); down && !behavior.scale_down().tolerance().empty())
    t.scale_down = static_cast<double>(*down) / 1000.0;
  if (auto up = sdk::parse_quantity_milli(behavior.scale_up().tolerance()); up && !behavior.scale_up().tolerance().empty())
    t.scale_up = static_cast<double>(*up) / 1000.0;
  return t;
}

std::string milli_quantity(std::int64_t milli) {
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "m";
}

}  // namespace skiff::controllers
