// HorizontalPodAutoscaler validation, worded as Kubernetes' ValidateHorizontalPodAutoscalerSpec.
#include "autoscaling_validation.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "field_rules.hpp"
#include "go_values.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::apiserver {
namespace {

namespace as = api::autoscaling::v2;

constexpr int kMaxStabilizationWindowSeconds = 3600;
constexpr int kMaxPeriodSeconds = 1800;
const std::vector<std::string> kMetricSourceTypes = {"ContainerResource", "External", "Object", "Pods", "Resource"};
const std::vector<std::string> kSelectPolicies = {"Disabled", "Max", "Min"};

void check_reference(FieldErrors& errors, const std::string& path, const as::CrossVersionObjectReference& ref) {
  if (ref.kind().empty()) errors.required(path + ".kind");
  for (const auto& m : ref.kind().empty() ? Messages{} : path_segment_name_errors(ref.kind()))
    errors.invalid(path + ".kind", quoted(ref.kind()), m);
  if (ref.name().empty()) errors.required(path + ".name");
  for (const auto& m : ref.name().empty() ? Messages{} : path_segment_name_errors(ref.name()))
    errors.invalid(path + ".name", quoted(ref.name()), m);
}

// A quantity's sign: -1, 0 or 1; nullopt when it is not a quantity at all.
std::optional<int> sign_of(const std::string& quantity) {
  auto milli = sdk::parse_quantity_milli(quantity);
  if (!milli) return std::nullopt;
  return *milli > 0 ? 1 : *milli < 0 ? -1 : 0;
}

void check_positive_quantity(FieldErrors& errors, const std::string& path, const std::string& quantity) {
  if (quantity.empty()) return;
  auto sign = sign_of(quantity);
  if (!sign) errors.invalid(path, quoted(quantity), "quantities must match the regular expression "
                                                    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  else if (*sign != 1) errors.invalid(path, quantity, "must be positive");
}

void check_target(FieldErrors& errors, const std::string& path, const as::MetricTarget& target) {
  if (target.type().empty()) errors.required(path + ".type", "must specify a metric target type");
  else if (target.type() != "Utilization" && target.type() != "Value" && target.type() != "AverageValue")
    errors.invalid(path + ".type", quoted(target.type()), "must be either Utilization, Value, or AverageValue");
  check_positive_quantity(errors, path + ".value", target.value());
  check_positive_quantity(errors, path + ".averageValue", target.average_value());
  if (target.has_average_utilization() && target.average_utilization() < 1)
    errors.invalid(path + ".averageUtilization", std::to_string(target.average_utilization()), "must be greater than 0");
}

void check_identifier(FieldErrors& errors, const std::string& path, const as::MetricIdentifier& id) {
  if (id.name().empty()) errors.required(path + ".name", "must specify a metric name");
  for (const auto& m : id.name().empty() ? Messages{} : path_segment_name_errors(id.name()))
    errors.invalid(path + ".name", quoted(id.name()), m);
  if (!id.has_selector()) return;
  try {
    sdk::LabelSelector::from_proto(id.selector());
  } catch (const sdk::Error& e) {
    errors.invalid(path + ".selector", go_label_selector(id.selector()), e.status().message);
  }
}

// Resource and ContainerResource: a resource name and exactly one of utilization or average value.
void check_resource_target(FieldErrors& errors, const std::string& path, const std::string& name,
                           const as::MetricTarget& target) {
  if (name.empty()) errors.required(path + ".name", "must specify a resource name");
  check_target(errors, path + ".target", target);
  bool utilization = target.has_average_utilization(), average = !target.average_value().empty();
  if (!utilization && !average)
    errors.required(path + ".target.averageUtilization",
                    "must set either a target resource utilization or a target average resource value");
  if (utilization && average)
    errors.forbidden(path + ".target.averageValue",
                     "may not set both a target resource utilization and a target average resource value");
}

void check_source(FieldErrors& errors, const std::string& path, const as::MetricSpec& metric) {
  const std::string& type = metric.type();
  if (type == "Resource" && metric.has_resource())
    check_resource_target(errors, path + ".resource", metric.resource().name(), metric.resource().target());
  if (type == "ContainerResource" && metric.has_container_resource()) {
    const auto& src = metric.container_resource();
    check_resource_target(errors, path + ".containerResource", src.name(), src.target());
    if (src.container().empty()) errors.required(path + ".containerResource.container", "must specify a container");
    for (const auto& m : src.container().empty() ? Messages{} : dns1123_label_errors(src.container()))
      errors.invalid(path + ".containerResource.container", quoted(src.container()), m);
  }
  if (type == "Pods" && metric.has_pods()) {
    check_identifier(errors, path + ".pods.metric", metric.pods().metric());
    check_target(errors, path + ".pods.target", metric.pods().target());
    if (metric.pods().target().average_value().empty())
      errors.required(path + ".pods.target.averageValue", "must specify a positive target averageValue");
  }
  if (type == "Object" && metric.has_object()) {
    const auto& src = metric.object();
    check_reference(errors, path + ".object.describedObject", src.described_object());
    check_identifier(errors, path + ".object.metric", src.metric());
    check_target(errors, path + ".object.target", src.target());
    if (src.target().value().empty() && src.target().average_value().empty())
      errors.required(path + ".object.target.averageValue", "must set either a target value or averageValue");
  }
  if (type == "External" && metric.has_external()) {
    const auto& src = metric.external();
    check_identifier(errors, path + ".external.metric", src.metric());
    check_target(errors, path + ".external.target", src.target());
    bool value = !src.target().value().empty(), average = !src.target().average_value().empty();
    if (!value && !average)
      errors.required(path + ".external.target.averageValue",
                      "must set either a target value for metric or a per-pod target");
    if (value && average)
      errors.forbidden(path + ".external.target.value", "may not set both a target value for metric and a per-pod target");
  }
}

// validateMetricSpec: a known type, its own member populated, no other member.
void check_metric(FieldErrors& errors, const std::string& path, const as::MetricSpec& metric) {
  const std::string& type = metric.type();
  if (type.empty()) errors.required(path + ".type", "must specify a metric source type");
  else if (std::find(kMetricSourceTypes.begin(), kMetricSourceTypes.end(), type) == kMetricSourceTypes.end())
    errors.unsupported(path + ".type", type, kMetricSourceTypes);
  const std::map<std::string, std::pair<std::string, bool>> members = {
      {"Object", {"object", metric.has_object()}},
      {"Pods", {"pods", metric.has_pods()}},
      {"Resource", {"resource", metric.has_resource()}},
      {"ContainerResource", {"containerResource", metric.has_container_resource()}},
      {"External", {"external", metric.has_external()}}};
  auto expected = members.find(type);
  if (expected != members.end() && !expected->second.second)
    errors.required(path + "." + expected->second.first, "must populate information for the given metric source");
  for (const auto& [member_type, member] : members)
    if (member.second && member_type != type)
      errors.forbidden(path + "." + member.first, "must populate the given metric source only");
  check_source(errors, path, metric);
}

void check_policy(FieldErrors& errors, const std::string& path, const as::HPAScalingPolicy& policy) {
  if (policy.type() != "Pods" && policy.type() != "Percent")
    errors.invalid(path + ".type", quoted(policy.type()), "must be either Pods or Percent");
  if (policy.value() <= 0) errors.invalid(path + ".value", std::to_string(policy.value()), "must be greater than zero");
  if (policy.period_seconds() <= 0)
    errors.invalid(path + ".periodSeconds", std::to_string(policy.period_seconds()), "must be greater than zero");
  if (policy.period_seconds() > kMaxPeriodSeconds)
    errors.invalid(path + ".periodSeconds", std::to_string(policy.period_seconds()),
                   "must be less than or equal to " + std::to_string(kMaxPeriodSeconds));
}

void check_rules(FieldErrors& errors, const std::string& path, const as::HPAScalingRules& rules) {
  if (rules.has_stabilization_window_seconds()) {
    int window = rules.stabilization_window_seconds();
    if (window < 0)
      errors.invalid(path + ".stabilizationWindowSeconds", std::to_string(window), "must be greater than or equal to zero");
    if (window > kMaxStabilizationWindowSeconds)
      errors.invalid(path + ".stabilizationWindowSeconds", std::to_string(window),
                     "must be less than or equal to " + std::to_string(kMaxStabilizationWindowSeconds));
  }
  if (rules.has_select_policy() &&
      std::find(kSelectPolicies.begin(), kSelectPolicies.end(), rules.select_policy()) == kSelectPolicies.end())
    errors.unsupported(path + ".selectPolicy", rules.select_policy(), kSelectPolicies);
  if (rules.policies().empty()) errors.required(path + ".policies", "must specify at least one Policy");
  for (int i = 0; i < rules.policies_size(); ++i)
    check_policy(errors, path + ".policies[" + std::to_string(i) + "]", rules.policies(i));
  if (!rules.tolerance().empty()) {
    auto sign = sign_of(rules.tolerance());
    if (!sign || *sign < 0)
      errors.invalid(path + ".tolerance", rules.tolerance(), "must be greater than or equal to zero");
  }
}

}  // namespace

void check_horizontal_pod_autoscaler(FieldErrors& errors, const as::HorizontalPodAutoscaler& hpa) {
  const auto& spec = hpa.spec();
  if (spec.has_min_replicas() && spec.min_replicas() < 1)
    errors.invalid("spec.minReplicas", std::to_string(spec.min_replicas()), "must be greater than or equal to 1");
  if (spec.max_replicas() < 1) errors.invalid("spec.maxReplicas", std::to_string(spec.max_replicas()), "must be greater than 0");
  if (spec.has_min_replicas() && spec.max_replicas() < spec.min_replicas())
    errors.invalid("spec.maxReplicas", std::to_string(spec.max_replicas()), "must be greater than or equal to `minReplicas`");
  check_reference(errors, "spec.scaleTargetRef", spec.scale_target_ref());
  for (int i = 0; i < spec.metrics_size(); ++i)
    check_metric(errors, "spec.metrics[" + std::to_string(i) + "]", spec.metrics(i));
  if (spec.behavior().has_scale_up()) check_rules(errors, "spec.behavior.scaleUp", spec.behavior().scale_up());
  if (spec.behavior().has_scale_down()) check_rules(errors, "spec.behavior.scaleDown", spec.behavior().scale_down());
}

}  // namespace skiff::apiserver
