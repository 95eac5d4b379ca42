// The horizontal-pod-autoscaler controller in the real skiffd (store, apiserver, scheduler,
// controller-manager), pods "run" by fake kubelets, and a metrics provider double on the bus
// (skiff.<c>.metrics.pods) whose usage the test sets: scaling up in policy-limited steps,
// scaling down only after the stabilization window, min/max, and a missing provider.
#include <gtest/gtest.h>

#include "fake_kubelet.hpp"
#include "metrics_provider_double.hpp"
#include "plugin_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace apps = api::apps::v1;
namespace as = api::autoscaling::v2;

std::string plugins() {
  return "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
         "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
         "  - name: scheduler-default\n    config: {leader_elect: false, pod_initial_backoff: 100ms}\n"
         "  - name: controller-manager\n    config:\n      leader_elect: false\n"
         "      horizontal_pod_autoscaler_sync_period: 300ms\n"
         "      horizontal_pod_autoscaler_downscale_stabilization: 2s\n"
         "      horizontal_pod_autoscaler_cpu_initialization_period: 1s\n"
         "      horizontal_pod_autoscaler_initial_readiness_delay: 0s\n";
}

apps::Deployment deployment(const std::string& name, int replicas, bool with_request = true) {
  apps::Deployment d;
  d.mutable_metadata()->set_name(name);
  d.mutable_metadata()->set_namespace_("default");
  d.mutable_spec()->set_replicas(replicas);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  auto* t = d.mutable_spec()->mutable_template_();
  (*t->mutable_metadata()->mutable_labels())["app"] = name;
  auto* c = t->mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox:1");
  if (with_request) (*c->mutable_resources()->mutable_requests())["cpu"] = "100m";
  return d;
}

as::HorizontalPodAutoscaler autoscaler(const std::string& name, int min, int max, int cpu_percent) {
  as::HorizontalPodAutoscaler h;
  h.mutable_metadata()->set_name(name);
  h.mutable_metadata()->set_namespace_("default");
  auto* ref = h.mutable_spec()->mutable_scale_target_ref();
  ref->set_api_version("apps/v1");
  ref->set_kind("Deployment");
  ref->set_name(name);
  h.mutable_spec()->set_min_replicas(min);
  h.mutable_spec()->set_max_replicas(max);
  auto* metric = h.mutable_spec()->add_metrics();
  metric->set_type("Resource");
  metric->mutable_resource()->set_name("cpu");
  metric->mutable_resource()->mutable_target()->set_type("Utilization");
  metric->mutable_resource()->mutable_target()->set_average_utilization(cpu_percent);
  return h;
}

void add_policy(as::HPAScalingRules* rules, const char* type, int value, int period) {
  auto* p = rules->add_policies();
  p->set_type(type);
  p->set_value(value);
  p->set_period_seconds(period);
}

class HpaController : public ::testing::Test {
 protected:
  HpaController() : node_(nats_, plugins()) {}

  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
    kubelet_ = std::make_unique<test::FakeKubelet>(node_.bus(), node_.subjects(), std::vector<std::string>{"node-a", "node-b"});
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
    kubelet_.reset();
  }

  int replicas(const std::string& name) { return api_->get<apps::Deployment>("default", name).spec().replicas(); }
  as::HorizontalPodAutoscaler hpa(const std::string& name) {
    return api_->get<as::HorizontalPodAutoscaler>("default", name);
  }
  // "status reason" of one condition, "" when it is not there.
  std::string condition(const std::string& name, const std::string& type) {
    auto current = hpa(name);
    for (const auto& c : current.status().conditions())
      if (c.type() == type) return c.status() + " " + c.reason();
    return "";
  }
  std::string condition_message(const std::string& name, const std::string& type) {
    auto current = hpa(name);
    for (const auto& c : current.status().conditions())
      if (c.type() == type) return c.message();
    return "";
  }
  // "reason: message" of the HPA's events.
  std::vector<std::string> events(const std::string& name) {
    std::vector<std::string> out;
    for (const auto& e : api_->list<core::Event>("default"))
      if (e.involved_object().kind() == "HorizontalPodAutoscaler" && e.involved_object().name() == name)
        out.push_back(e.reason() + ": " + e.message());
    return out;
  }
  bool has_event(const std::string& name, const std::string& text) {
    return test::wait_until([&] {
      auto all = events(name);
      return std::find(all.begin(), all.end(), text) != all.end();
    }, 10s);
  }
  bool running_pods(const std::string& app, std::size_t count) {
    return test::wait_until([&] {
      std::size_t n = 0;
      for (const auto& p : api_->list<core::Pod>("default", "app=" + app))
        n += p.metadata().deletion_timestamp().empty() && p.status().phase() == "Running";
      return n == count;
    }, 20s);
  }

  test::NatsServer nats_;
  test::PluginNode node_;
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<test::FakeKubelet> kubelet_;
};

TEST_F(HpaController, ScalesUpInPolicyStepsAndDownOnlyAfterTheWindow) {
  test::MetricsProviderDouble provider(node_.bus(), node_.subjects());
  provider.set_percent(100);
  api_->create(deployment("web", 1));
  ASSERT_TRUE(running_pods("web", 1));
  auto h = autoscaler("web", 1, 4, 50);
  auto* up = h.mutable_spec()->mutable_behavior()->mutable_scale_up();
  add_policy(up, "Pods", 1, 1);  // one pod a second, whatever the metrics ask
  auto* down = h.mutable_spec()->mutable_behavior()->mutable_scale_down();
  down->set_stabilization_window_seconds(2);
  api_->create(h);

  const std::string reason = "; reason: cpu resource utilization (percentage of request) above target";
  for (int size = 2; size <= 4; ++size)
    EXPECT_TRUE(has_event("web", "SuccessfulRescale: New size: " + std::to_string(size) + reason)) << size;
  EXPECT_TRUE(test::wait_until([&] { return replicas("web") == 4; }, 20s));
  ASSERT_TRUE(running_pods("web", 4));
  // At the maximum, still asked for more (8): limited, and it says so.
  ASSERT_TRUE(test::wait_until([&] {
    return hpa("web").status().current_replicas() == 4 && condition("web", "ScalingLimited") == "True TooManyReplicas";
  }, 10s)) << condition("web", "ScalingLimited");
  auto status = hpa("web").status();
  EXPECT_EQ(status.desired_replicas(), 4);
  ASSERT_EQ(status.current_metrics_size(), 1);
  EXPECT_EQ(status.current_metrics(0).resource().name(), "cpu");
  EXPECT_EQ(status.current_metrics(0).resource().current().average_utilization(), 100);
  EXPECT_EQ(status.current_metrics(0).resource().current().average_value(), "100m");
  EXPECT_FALSE(status.last_scale_time().empty());
  EXPECT_EQ(condition("web", "ScalingActive"), "True ValidMetricFound");
  EXPECT_EQ(condition_message("web", "ScalingActive"),
            "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of "
            "request)");

  // Idle: the recommendation drops to 1, but the last 2 s remember 8.
  provider.set_percent(10);
  ASSERT_TRUE(test::wait_until([&] { return condition("web", "AbleToScale") == "True ScaleDownStabilized"; }, 10s))
      << condition("web", "AbleToScale");
  EXPECT_EQ(replicas("web"), 4);
  EXPECT_TRUE(has_event("web", "SuccessfulRescale: New size: 1; reason: All metrics below target"));
  EXPECT_TRUE(test::wait_until([&] { return replicas("web") == 1; }, 10s));
}

TEST_F(HpaController, MinAndMaxBoundTheReplicas) {
  test::MetricsProviderDouble provider(node_.bus(), node_.subjects());
  provider.set_percent(200);
  api_->create(deployment("api", 1));
  ASSERT_TRUE(running_pods("api", 1));
  api_->create(autoscaler("api", 2, 3, 50));  // no behavior: the controller's own rules
  EXPECT_TRUE(has_event("api", "SuccessfulRescale: New size: 2; reason: Current number of replicas below Spec.MinReplicas"));
  EXPECT_TRUE(test::wait_until([&] { return replicas("api") == 3; }, 20s));
  ASSERT_TRUE(test::wait_until([&] { return condition("api", "ScalingLimited") == "True TooManyReplicas"; }, 10s))
      << condition("api", "ScalingLimited");
  EXPECT_EQ(replicas("api"), 3);
}

TEST_F(HpaController, WithoutAMetricsProviderNothingScalesAndTheConditionSaysWhy) {
  api_->create(deployment("quiet", 2));
  ASSERT_TRUE(running_pods("quiet", 2));
  api_->create(autoscaler("quiet", 1, 5, 50));
  ASSERT_TRUE(test::wait_until([&] { return condition("quiet", "ScalingActive") == "False FailedGetResourceMetric"; }, 10s))
      << condition("quiet", "ScalingActive");
  const std::string error =
      "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource "
      "metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";
  EXPECT_EQ(condition_message("quiet", "ScalingActive"), "the HPA was unable to compute the replica count: " + error);
  EXPECT_EQ(condition("quiet", "AbleToScale"), "True SucceededGetScale");
  EXPECT_TRUE(has_event("quiet", "FailedGetResourceMetric: " + error));
  EXPECT_TRUE(has_event("quiet", "FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: " + error));
  EXPECT_EQ(replicas("quiet"), 2);
  EXPECT_EQ(hpa("quiet").status().current_replicas(), 2);
}

TEST_F(HpaController, PodsWithoutACpuRequestCannotBeMeasuredAgainstOne) {
  test::MetricsProviderDouble provider(node_.bus(), node_.subjects());
  provider.set_percent(100);
  api_->create(deployment("bare", 1, false));
  ASSERT_TRUE(running_pods("bare", 1));
  api_->create(autoscaler("bare", 1, 5, 50));
  ASSERT_TRUE(test::wait_until([&] { return condition("bare", "ScalingActive") == "False FailedGetResourceMetric"; }, 10s));
  auto message = condition_message("bare", "ScalingActive");
  EXPECT_EQ(message.rfind("the HPA was unable to compute the replica count: failed to get cpu utilization: missing "
                          "request for cpu in container main of Pod bare-", 0), 0u) << message;
  EXPECT_EQ(replicas("bare"), 1);
}

TEST_F(HpaController, AMissingTargetIsReportedNotScaled) {
  api_->create(autoscaler("ghost", 1, 5, 50));
  ASSERT_TRUE(test::wait_until([&] { return condition("ghost", "AbleToScale") == "False FailedGetScale"; }, 10s));
  EXPECT_EQ(condition_message("ghost", "AbleToScale"),
            "the HPA controller was unable to get the target's current scale: deployments.apps \"ghost\" not found");
}

TEST_F(HpaController, AReplicaSetScalesThroughTheSameScale) {
  test::MetricsProviderDouble provider(node_.bus(), node_.subjects());
  provider.set_percent(200);
  apps::ReplicaSet rs;
  rs.mutable_metadata()->set_name("workers");
  rs.mutable_metadata()->set_namespace_("default");
  rs.mutable_spec()->set_replicas(1);
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "workers";
  *rs.mutable_spec()->mutable_template_() = deployment("workers", 1).spec().template_();
  api_->create(rs);
  ASSERT_TRUE(running_pods("workers", 1));
  auto h = autoscaler("workers", 1, 3, 50);
  h.mutable_spec()->mutable_scale_target_ref()->set_kind("ReplicaSet");
  api_->create(h);
  EXPECT_TRUE(test::wait_until([&] { return api_->get<apps::ReplicaSet>("default", "workers").spec().replicas() == 3; }, 20s));
  EXPECT_TRUE(has_event("workers", "SuccessfulRescale: New size: 3; reason: cpu resource utilization (percentage of request) "
                                   "above target"));
}

}  // namespace
