// The cells kubectl shows for HorizontalPodAutoscalers: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE.
#include "autoscaling_tables.hpp"

#include <boost/json.hpp>

#include "skiff/api/autoscaling/v2/autoscaling.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace as = api::autoscaling::v2;

const std::vector<TableColumn> kAutoscalerColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Reference", "string", 0, "reference to scaled resource; horizontal pod autoscaler will learn the current resource "
                               "consumption and will set the desired number of pods by using its Scale subresource."},
    {"Targets", "string", 0, "metrics contains the specifications for which to use to calculate the desired replica "
                             "count (the maximum replica count across all metrics will be used)."},
    {"MinPods", "string", 0, "minReplicas is the lower limit for the number of replicas to which the autoscaler can "
                             "scale down."},
    {"MaxPods", "string", 0, "maxReplicas is the upper limit for the number of replicas to which the autoscaler can "
                             "scale up."},
    {"Replicas", "string", 0, "currentReplicas is current number of replicas of pods managed by this autoscaler."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
};

constexpr const char* kUnknown = "<unknown>";

std::string percent(int value) { return std::to_string(value) + "%"; }

// "name: current/target" for Resource and ContainerResource metrics.
std::string resource_cell(const std::string& name, const as::MetricTarget& target, const as::MetricValueStatus* current) {
  if (!target.average_value().empty()) {
    std::string now = current && !current->average_value().empty() ? current->average_value() : kUnknown;
    return name + ": " + now + "/" + target.average_value();
  }
  std::string now = current && current->has_average_utilization() ? percent(current->average_utilization()) : kUnknown;
  std::string wanted = target.has_average_utilization() ? percent(target.average_utilization()) : "<auto>";
  return name + ": " + now + "/" + wanted;
}

// Object and External: the average value marked "(avg)", else the value.
std::string value_cell(const as::MetricTarget& target, const as::MetricValueStatus* current) {
  if (!target.average_value().empty()) {
    std::string now = current && !current->average_value().empty() ? current->average_value() : kUnknown;
    return now + "/" + target.average_value() + " (avg)";
  }
  std::string now = current ? (current->value().empty() ? "0" : current->value()) : kUnknown;
  return now + "/" + target.value();
}

std::string metric_cell(const as::MetricSpec& spec, const as::MetricStatus* status) {
  const std::string& type = spec.type();
  if (type == "Resource")
    return resource_cell(spec.resource().name(), spec.resource().target(),
                         status && status->has_resource() ? &status->resource().current() : nullptr);
  if (type == "ContainerResource")
    return resource_cell(spec.container_resource().name(), spec.container_resource().target(),
                         status && status->has_container_resource() ? &status->container_resource().current() : nullptr);
  if (type == "Pods") {
    std::string now = status && status->has_pods() ? status->pods().current().average_value() : kUnknown;
    return now + "/" + spec.pods().target().average_value();
  }
  if (type == "Object")
    return value_cell(spec.object().target(), status && status->has_object() ? &status->object().current() : nullptr);
  if (type == "External")
    return value_cell(spec.external().target(), status && status->has_external() ? &status->external().current() : nullptr);
  return "<unknown type>";
}

}  // namespace

std::string format_hpa_metrics(const google::protobuf::Message& object) {
  const auto& hpa = static_cast<const as::HorizontalPodAutoscaler&>(object);
  const auto& specs = hpa.spec().metrics();
  const auto& statuses = hpa.status().current_metrics();
  if (specs.empty()) return "<none>";
  constexpr int kShown = 2;
  std::string cell;
  for (int i = 0; i < specs.size() && i < kShown; ++i) {
    const as::MetricStatus* status = i < statuses.size() ? &statuses[i] : nullptr;
    cell += (i ? ", " : "") + metric_cell(specs[i], status);
  }
  if (specs.size() > kShown) cell += " + " + std::to_string(specs.size() - kShown) + " more...";
  return cell;
}

const std::vector<TableColumn>* autoscaling_columns(const std::string& kind) {
  return kind == "HorizontalPodAutoscaler" ? &kAutoscalerColumns : nullptr;
}

TableRow autoscaling_row(const std::string&, const google::protobuf::Message& object) {
  const auto& hpa = static_cast<const as::HorizontalPodAutoscaler&>(object);
  const auto& spec = hpa.spec();
  std::string reference = spec.scale_target_ref().kind() + "/" + spec.scale_target_ref().name();
  std::string min_pods = spec.has_min_replicas() ? std::to_string(spec.min_replicas()) : "<unset>";
  return {json::string(hpa.metadata().name()), json::string(reference), json::string(format_hpa_metrics(hpa)),
          json::string(min_pods), std::int64_t{spec.max_replicas()}, std::int64_t{hpa.status().current_replicas()},
          json::string(sdk::age_since(hpa.metadata().creation_timestamp()))};
}

}  // namespace skiff::apiserver
