// HorizontalPodAutoscalers in the API server: defaults, validation in Kubernetes' words, the
// TARGETS cell kubectl prints, autoscaling/v1 ↔ v2 conversion, and Kubernetes' protobuf for both.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "autoscaling_conversion.hpp"
#include "autoscaling_tables.hpp"
#include "defaults.hpp"
#include "k8s_protobuf.hpp"
#include "served_versions.hpp"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"
#include "skiff/sdk/k8s_json.hpp"
#include "validation_causes.hpp"

namespace {

using namespace skiff;
using namespace skiff::validation_testing;
namespace as = api::autoscaling::v2;
namespace json = boost::json;

as::HorizontalPodAutoscaler hpa(int max = 5) {
  as::HorizontalPodAutoscaler h;
  name(h, "web");
  auto* ref = h.mutable_spec()->mutable_scale_target_ref();
  ref->set_api_version("apps/v1");
  ref->set_kind("Deployment");
  ref->set_name("web");
  h.mutable_spec()->set_max_replicas(max);
  return h;
}

as::MetricSpec* cpu(as::HorizontalPodAutoscaler& h, int percent) {
  auto* m = h.mutable_spec()->add_metrics();
  m->set_type("Resource");
  m->mutable_resource()->set_name("cpu");
  m->mutable_resource()->mutable_target()->set_type("Utilization");
  m->mutable_resource()->mutable_target()->set_average_utilization(percent);
  return m;
}

TEST(HpaDefaults, MinReplicasOneCpuEightyAndBehaviorRules) {
  auto h = hpa();
  apiserver::apply_defaults(h);
  EXPECT_EQ(h.spec().min_replicas(), 1);
  ASSERT_EQ(h.spec().metrics_size(), 1);
  EXPECT_EQ(h.spec().metrics(0).resource().name(), "cpu");
  EXPECT_EQ(h.spec().metrics(0).resource().target().average_utilization(), 80);
  EXPECT_FALSE(h.spec().has_behavior());  // only a behavior that is set gets defaults

  auto b = hpa();
  b.mutable_spec()->mutable_behavior()->mutable_scale_down()->set_stabilization_window_seconds(60);
  apiserver::apply_defaults(b);
  const auto& up = b.spec().behavior().scale_up();
  EXPECT_EQ(up.stabilization_window_seconds(), 0);
  EXPECT_EQ(up.select_policy(), "Max");
  ASSERT_EQ(up.policies_size(), 2);
  EXPECT_EQ(up.policies(0).type(), "Pods");
  EXPECT_EQ(up.policies(0).value(), 4);
  EXPECT_EQ(up.policies(1).type(), "Percent");
  EXPECT_EQ(up.policies(1).value(), 100);
  const auto& down = b.spec().behavior().scale_down();
  EXPECT_EQ(down.stabilization_window_seconds(), 60);
  ASSERT_EQ(down.policies_size(), 1);
  EXPECT_EQ(down.policies(0).period_seconds(), 15);
}

TEST(HpaValidation, ReplicaBounds) {
  auto h = hpa(2);
  cpu(h, 50);
  h.mutable_spec()->set_min_replicas(3);
  EXPECT_CAUSE(h, "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`");
  h.mutable_spec()->set_min_replicas(0);
  EXPECT_CAUSE(h, "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1");
  auto zero = hpa(0);
  cpu(zero, 50);
  EXPECT_CAUSE(zero, "spec.maxReplicas: Invalid value: 0: must be greater than 0");
  auto fine = hpa();
  cpu(fine, 50);
  EXPECT_TRUE(causes(fine).empty()) << ::testing::PrintToString(causes(fine));
}

TEST(HpaValidation, TargetReference) {
  auto h = hpa();
  cpu(h, 50);
  h.mutable_spec()->mutable_scale_target_ref()->clear_kind();
  h.mutable_spec()->mutable_scale_target_ref()->set_name("a/b");
  EXPECT_CAUSE(h, "spec.scaleTargetRef.kind: Required value");
  EXPECT_CAUSE(h, "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'");
}

TEST(HpaValidation, MetricsNameTheirTypeAndOnlyItsSource) {
  auto h = hpa();
  auto* m = cpu(h, 0);
  EXPECT_CAUSE(h, "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0");
  m->mutable_pods()->mutable_metric()->set_name("qps");
  EXPECT_CAUSE(h, "spec.metrics[0].pods: Forbidden: must populate the given metric source only");
  m->set_type("Pods");
  EXPECT_CAUSE(h, "spec.metrics[0].resource: Forbidden: must populate the given metric source only");
  EXPECT_CAUSE(h, "spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue");
  m->set_type("Magic");
  EXPECT_CAUSE(h, "spec.metrics[0].type: Unsupported value: \"Magic\": supported values: \"ContainerResource\", "
                  "\"External\", \"Object\", \"Pods\", \"Resource\"");
  auto both = hpa();
  cpu(both, 50)->mutable_resource()->mutable_target()->set_average_value("100m");
  EXPECT_CAUSE(both, "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target resource "
                     "utilization and a target average resource value");
  auto none = hpa();
  cpu(none, 50)->mutable_resource()->mutable_target()->clear_average_utilization();
  EXPECT_CAUSE(none, "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target "
                     "resource utilization or a target average resource value");
  auto missing = hpa();
  missing.mutable_spec()->add_metrics()->set_type("External");
  EXPECT_CAUSE(missing, "spec.metrics[0].external: Required value: must populate information for the given metric source");
}

TEST(HpaValidation, Behavior) {
  auto h = hpa();
  cpu(h, 50);
  auto* down = h.mutable_spec()->mutable_behavior()->mutable_scale_down();
  down->set_stabilization_window_seconds(3601);
  down->set_select_policy("Most");
  auto* p = down->add_policies();
  p->set_type("Nodes");
  p->set_value(0);
  p->set_period_seconds(1801);
  EXPECT_CAUSE(h, "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600");
  EXPECT_CAUSE(h, "spec.behavior.scaleDown.selectPolicy: Unsupported value: \"Most\": supported values: \"Disabled\", "
                  "\"Max\", \"Min\"");
  EXPECT_CAUSE(h, "spec.behavior.scaleDown.policies[0].type: Invalid value: \"Nodes\": must be either Pods or Percent");
  EXPECT_CAUSE(h, "spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero");
  EXPECT_CAUSE(h, "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800");
}

TEST(HpaTable, TargetsAsKubernetesPrintsThem) {
  auto h = hpa();
  cpu(h, 50);
  EXPECT_EQ(apiserver::format_hpa_metrics(h), "cpu: <unknown>/50%");
  auto* status = h.mutable_status()->add_current_metrics();
  status->set_type("Resource");
  status->mutable_resource()->set_name("cpu");
  status->mutable_resource()->mutable_current()->set_average_utilization(45);
  EXPECT_EQ(apiserver::format_hpa_metrics(h), "cpu: 45%/50%");
  auto* memory = h.mutable_spec()->add_metrics();
  memory->set_type("Resource");
  memory->mutable_resource()->set_name("memory");
  memory->mutable_resource()->mutable_target()->set_type("AverageValue");
  memory->mutable_resource()->mutable_target()->set_average_value("100Mi");
  auto* pods = h.mutable_spec()->add_metrics();
  pods->set_type("Pods");
  pods->mutable_pods()->mutable_target()->set_average_value("1k");
  EXPECT_EQ(apiserver::format_hpa_metrics(h), "cpu: 45%/50%, memory: <unknown>/100Mi + 1 more...");

  auto row = apiserver::autoscaling_row("HorizontalPodAutoscaler", hpa());
  EXPECT_EQ(row[1], "Deployment/web");
  EXPECT_EQ(row[2], "<none>");
  EXPECT_EQ(row[3], "<unset>");
  EXPECT_EQ(row[4], 5);
}

TEST(HpaConversion, V1TargetCpuIsAV2CpuMetricAndBack) {
  auto v1 = json::parse(R"({"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler",
      "metadata":{"name":"web"},
      "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":1,
              "maxReplicas":5,"targetCPUUtilizationPercentage":50}})").as_object();
  auto v2 = apiserver::hpa_v1_to_v2(v1);
  EXPECT_EQ(v2.at("apiVersion"), "autoscaling/v2");
  EXPECT_EQ(v2.at("spec").at("metrics"), json::parse(R"([{"type":"Resource","resource":{"name":"cpu",
      "target":{"averageUtilization":50,"type":"Utilization"}}}])"));
  EXPECT_FALSE(v2.at("spec").as_object().contains("targetCPUUtilizationPercentage"));
  auto back = apiserver::hpa_v2_to_v1(v2);
  EXPECT_EQ(back.at("spec"), v1.at("spec"));
  EXPECT_EQ(back.at("status"), json::parse(R"({"currentReplicas":0,"desiredReplicas":0})"));
}

TEST(HpaConversion, WhatV1CannotSayTravelsInAnnotations) {
  auto v2 = json::parse(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
      "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":5,
              "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}},
                         {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}}],
              "behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}},
      "status":{"currentReplicas":2,"desiredReplicas":3,
                "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":80,"averageValue":"400m"}}}],
                "conditions":[{"type":"AbleToScale","status":"True","reason":"SucceededRescale"}]}})").as_object();
  auto v1 = apiserver::hpa_v2_to_v1(v2);
  EXPECT_EQ(v1.at("spec").at("targetCPUUtilizationPercentage"), 50);
  EXPECT_EQ(v1.at("status").at("currentCPUUtilizationPercentage"), 80);
  const auto& annotations = v1.at("metadata").at("annotations").as_object();
  EXPECT_EQ(json::parse(annotations.at(apiserver::kHpaMetricsAnnotation).as_string()),
            json::value(json::array{v2.at("spec").at("metrics").at(1)}));
  EXPECT_TRUE(annotations.contains(apiserver::kHpaBehaviorAnnotation));
  EXPECT_TRUE(annotations.contains(apiserver::kHpaConditionsAnnotation));
  // A v1 client's read-modify-write keeps all of it, and the annotations do not pile up.
  auto again = apiserver::hpa_v1_to_v2(v1);
  EXPECT_EQ(again.at("spec").at("metrics").as_array().size(), 2u);
  EXPECT_EQ(again.at("spec").at("behavior"), v2.at("spec").at("behavior"));
  EXPECT_EQ(again.at("status").at("conditions"), v2.at("status").at("conditions"));
  EXPECT_FALSE(again.at("metadata").as_object().contains("annotations"));
}

TEST(HpaServedVersions, V1IsServedBesideTheStoredV2) {
  const auto* served = apiserver::find_served_version("autoscaling", "v1", "horizontalpodautoscalers");
  ASSERT_NE(served, nullptr);
  EXPECT_EQ(sdk::find_resource_by_plural("autoscaling", "horizontalpodautoscalers")->version, "v2");
  EXPECT_EQ(apiserver::find_served_version("autoscaling", "v2", "horizontalpodautoscalers"), nullptr);
}

std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  return out + static_cast<char>(v);
}
std::string bytes(int number, const std::string& payload) {
  return varint(static_cast<std::uint64_t>(number) << 3 | 2) + varint(payload.size()) + payload;
}
std::string number(int field, std::uint64_t value) { return varint(static_cast<std::uint64_t>(field) << 3) + varint(value); }
std::string envelope(const std::string& api_version, const std::string& kind, const std::string& raw) {
  return std::string("k8s\0", 4) + bytes(1, bytes(1, api_version) + bytes(2, kind)) + bytes(2, raw);
}

// Field numbers from k8s.io/api autoscaling/v1 and v2 generated.proto, written by hand.
TEST(HpaProtobuf, V1AsKubectlAutoscaleSendsIt) {
  std::string ref = bytes(1, "Deployment") + bytes(2, "web") + bytes(3, "apps/v1");
  std::string spec = bytes(1, ref) + number(2, 1) + number(3, 5) + number(4, 50);
  auto object = apiserver::decode_k8s_protobuf(
      envelope("autoscaling/v1", "HorizontalPodAutoscaler", bytes(1, bytes(1, "web")) + bytes(2, spec)));
  EXPECT_EQ(object.at("spec"), json::parse(R"({"scaleTargetRef":{"kind":"Deployment","name":"web","apiVersion":"apps/v1"},
      "minReplicas":1,"maxReplicas":5,"targetCPUUtilizationPercentage":50})"));
}

TEST(HpaProtobuf, V2MetricsAndBehavior) {
  std::string target = bytes(1, "Utilization") + number(4, 50);
  std::string metric = bytes(1, "Resource") + bytes(4, bytes(1, "cpu") + bytes(2, target));
  std::string policy = bytes(1, "Pods") + number(2, 1) + number(3, 15);
  std::string down = bytes(1, "Min") + bytes(2, policy) + number(3, 60);
  std::string spec = bytes(1, bytes(1, "Deployment") + bytes(2, "web")) + number(3, 5) + bytes(4, metric) +
                     bytes(5, bytes(2, down));
  auto object = apiserver::decode_k8s_protobuf(envelope("autoscaling/v2", "HorizontalPodAutoscaler", bytes(2, spec)));
  EXPECT_EQ(object.at("spec"), json::parse(R"({"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":5,
      "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}],
      "behavior":{"scaleDown":{"selectPolicy":"Min","policies":[{"type":"Pods","value":1,"periodSeconds":15}],
                               "stabilizationWindowSeconds":60}}})"));
}

}  // namespace
