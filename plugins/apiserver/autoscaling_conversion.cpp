// autoscaling/v1 ↔ v2 HorizontalPodAutoscaler JSON: cpu utilization as v1's own fields, the rest in annotations.
#include "autoscaling_conversion.hpp"

#include <boost/json.hpp>

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

json::object& child(json::object& parent, const char* key) {
  json::value& v = parent[key];
  if (!v.is_object()) v = json::object{};
  return v.as_object();
}

// Parses and removes an annotation holding JSON; null when absent or unreadable.
json::value take_annotation(json::object& object, const char* key) {
  auto* meta = object.if_contains("metadata");
  if (!meta || !meta->is_object()) return nullptr;
  auto* annotations = meta->as_object().if_contains("annotations");
  if (!annotations || !annotations->is_object()) return nullptr;
  auto* text = annotations->as_object().if_contains(key);
  json::value parsed = nullptr;
  if (text && text->is_string()) {
    boost::system::error_code ec;
    parsed = json::parse(text->as_string(), ec);
    if (ec) parsed = nullptr;
  }
  annotations->as_object().erase(key);
  if (annotations->as_object().empty()) meta->as_object().erase("annotations");
  return parsed;
}

void put_annotation(json::object& object, const char* key, const json::value& value) {
  child(child(object, "metadata"), "annotations")[key] = json::serialize(value);
}

void append_all(json::array& to, const json::value& from) {
  if (from.is_array())
    for (const auto& item : from.as_array()) to.push_back(item);
}

json::object cpu_metric(const char* side, const char* field, const json::value& value) {
  json::object resource{{"name", "cpu"}};
  json::object target{{field, value}};
  if (std::string(side) == "target") target["type"] = "Utilization";
  resource[side] = std::move(target);
  return json::object{{"type", "Resource"}, {"resource", std::move(resource)}};
}

// The averageUtilization of a cpu Resource metric under `side` (target or current), or null.
const json::value* cpu_utilization(const json::value& metric, const char* side) {
  if (!metric.is_object()) return nullptr;
  const auto* type = metric.as_object().if_contains("type");
  const auto* resource = metric.as_object().if_contains("resource");
  if (!type || *type != "Resource" || !resource || !resource->is_object()) return nullptr;
  const auto* name = resource->as_object().if_contains("name");
  const auto* values = resource->as_object().if_contains(side);
  if (!name || *name != "cpu" || !values || !values->is_object()) return nullptr;
  if (std::string(side) == "target") {
    const auto* target_type = values->as_object().if_contains("type");
    if (!target_type || *target_type != "Utilization") return nullptr;
  }
  return values->as_object().if_contains("averageUtilization");
}

// Splits `metrics` into the first cpu utilization value under `side` and everything else.
json::value split_cpu(const json::value* metrics, const char* side, json::array& others) {
  json::value cpu = nullptr;
  if (!metrics || !metrics->is_array()) return cpu;
  for (const auto& metric : metrics->as_array()) {
    const json::value* utilization = cpu_utilization(metric, side);
    if (utilization && cpu.is_null()) cpu = *utilization;
    else others.push_back(metric);
  }
  return cpu;
}

void move_field(json::object& from, json::object& to, const char* key) {
  if (auto* v = from.if_contains(key)) {
    to[key] = *v;
    from.erase(key);
  }
}

}  // namespace

json::object hpa_v1_to_v2(json::object v1) {
  json::object out = std::move(v1);
  out["apiVersion"] = "autoscaling/v2";
  json::value metrics = take_annotation(out, kHpaMetricsAnnotation);
  json::value behavior = take_annotation(out, kHpaBehaviorAnnotation);
  json::value current = take_annotation(out, kHpaCurrentMetricsAnnotation);
  json::value conditions = take_annotation(out, kHpaConditionsAnnotation);

  json::object& spec = child(out, "spec");
  json::array spec_metrics;
  if (auto* cpu = spec.if_contains("targetCPUUtilizationPercentage"); cpu && !cpu->is_null())
    spec_metrics.push_back(cpu_metric("target", "averageUtilization", *cpu));
  spec.erase("targetCPUUtilizationPercentage");
  append_all(spec_metrics, metrics);
  if (!spec_metrics.empty()) spec["metrics"] = std::move(spec_metrics);
  if (behavior.is_object()) spec["behavior"] = behavior;

  if (auto* status_value = out.if_contains("status"); status_value && status_value->is_object()) {
    json::object& status = status_value->as_object();
    json::array current_metrics;
    if (auto* cpu = status.if_contains("currentCPUUtilizationPercentage"); cpu && !cpu->is_null())
      current_metrics.push_back(cpu_metric("current", "averageUtilization", *cpu));
    status.erase("currentCPUUtilizationPercentage");
    append_all(current_metrics, current);
    if (!current_metrics.empty()) status["currentMetrics"] = std::move(current_metrics);
    if (conditions.is_array()) status["conditions"] = conditions;
  }
  return out;
}

json::object hpa_v2_to_v1(json::object v2) {
  json::object out = std::move(v2);
  out["apiVersion"] = "autoscaling/v1";
  json::object& spec = child(out, "spec");
  json::array other_metrics;
  json::value cpu = split_cpu(spec.if_contains("metrics"), "target", other_metrics);
  spec.erase("metrics");
  if (!cpu.is_null()) spec["targetCPUUtilizationPercentage"] = cpu;
  if (!other_metrics.empty()) put_annotation(out, kHpaMetricsAnnotation, other_metrics);
  if (auto* behavior = spec.if_contains("behavior")) {
    put_annotation(out, kHpaBehaviorAnnotation, *behavior);
    spec.erase("behavior");
  }

  json::object& status = child(out, "status");
  json::array other_current;
  json::value current_cpu = split_cpu(status.if_contains("currentMetrics"), "current", other_current);
  status.erase("currentMetrics");
  if (!current_cpu.is_null()) status["currentCPUUtilizationPercentage"] = current_cpu;
  if (!other_current.empty()) put_annotation(out, kHpaCurrentMetricsAnnotation, other_current);
  if (auto* conditions = status.if_contains("conditions")) {
    put_annotation(out, kHpaConditionsAnnotation, *conditions);
    status.erase("conditions");
  }
  json::object v1_status;
  for (const char* key : {"observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas",
                          "currentCPUUtilizationPercentage"})
    move_field(status, v1_status, key);
  if (!v1_status.contains("currentReplicas")) v1_status["currentReplicas"] = 0;
  if (!v1_status.contains("desiredReplicas")) v1_status["desiredReplicas"] = 0;
  out["status"] = std::move(v1_status);
  return out;
}

}  // namespace skiff::apiserver
