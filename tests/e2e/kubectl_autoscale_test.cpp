// HorizontalPodAutoscalers driven by the real kubectl (1.20, the machine's 1.33, 1.27 when
// present): `kubectl autoscale`, `get hpa` (the TARGETS column), `describe hpa` (metrics,
// conditions, events), `-o yaml` that round-trips through replace, the autoscaling/v1 view,
// and delete. Pods are "run" by fake kubelets; a metrics provider double sets their cpu usage.
#include <gtest/gtest.h>

#include <regex>

#include "api_node.hpp"
#include "command.hpp"
#include "fake_kubelet.hpp"
#include "kubectl_versions.hpp"
#include "metrics_provider_double.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/autoscaling/v2/autoscaling.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace apps = api::apps::v1;
namespace as = api::autoscaling::v2;

apps::Deployment web() {
  apps::Deployment d;
  d.mutable_metadata()->set_name("web");
  d.mutable_metadata()->set_namespace_("default");
  d.mutable_spec()->set_replicas(1);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  auto* t = d.mutable_spec()->mutable_template_();
  (*t->mutable_metadata()->mutable_labels())["app"] = "web";
  auto* c = t->mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox:1");
  (*c->mutable_resources()->mutable_requests())["cpu"] = "100m";
  return d;
}

class KubectlAutoscale : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override {
    SKIFF_REQUIRE_KUBECTL(GetParam());
    node_ = std::make_unique<test::ApiNode>(
        "",
        "  - name: scheduler-default\n    config: {leader_elect: false}\n"
        "  - name: controller-manager\n    config:\n      leader_elect: false\n"
        "      horizontal_pod_autoscaler_sync_period: 300ms\n"
        "      horizontal_pod_autoscaler_cpu_initialization_period: 1s\n"
        "      horizontal_pod_autoscaler_initial_readiness_delay: 0s\n");
    auto& bus = node_->node().bus();
    const auto& subjects = node_->node().subjects();
    api_ = std::make_unique<sdk::ApiClient>(bus, subjects);
    kubelet_ = std::make_unique<test::FakeKubelet>(bus, subjects, std::vector<std::string>{"node-a"});
    metrics_ = std::make_unique<test::MetricsProviderDouble>(bus, subjects);
  }
  void TearDown() override {
    if (HasFailure() && node_) std::fprintf(stderr, "skiffd output:\n%s\n", node_->node().output().c_str());
    metrics_.reset();
    kubelet_.reset();
    api_.reset();
    node_.reset();
  }

  test::CommandResult kubectl(std::vector<std::string> args, const std::string& stdin_text = "") {
    return node_->kubectl(GetParam().binary, args, stdin_text, 90s);
  }
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = kubectl(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.both();
    return r.out;
  }
  bool is_120() const { return GetParam().name == "kubectl_1_20"; }

  std::unique_ptr<test::ApiNode> node_;
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<test::FakeKubelet> kubelet_;
  std::unique_ptr<test::MetricsProviderDouble> metrics_;
};

TEST_P(KubectlAutoscale, AutoscaleGetDescribeRoundTripAndDelete) {
  api_->create(web());
  metrics_->set_percent(100);
  std::string made = ok({"autoscale", "deployment", "web", "--cpu-percent=50", "--min=1", "--max=5"});
  EXPECT_NE(made.find("horizontalpodautoscaler.autoscaling/web autoscaled"), std::string::npos) << made;
  auto stored = api_->get<as::HorizontalPodAutoscaler>("default", "web");
  EXPECT_EQ(stored.spec().scale_target_ref().kind(), "Deployment");
  EXPECT_EQ(stored.spec().scale_target_ref().api_version(), "apps/v1");
  EXPECT_EQ(stored.spec().min_replicas(), 1);
  EXPECT_EQ(stored.spec().max_replicas(), 5);
  ASSERT_EQ(stored.spec().metrics_size(), 1);
  EXPECT_EQ(stored.spec().metrics(0).resource().name(), "cpu");
  EXPECT_EQ(stored.spec().metrics(0).resource().target().average_utilization(), 50);

  std::string table = ok({"get", "hpa"});
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\n)"
                                                  R"(web\s+Deployment/web\s+cpu: (<unknown>|\d+%)/50%\s+1\s+5\s+\d+\s+\d+s)")))
      << table;
  // Usage at twice the target: the controller scales up to the maximum and the table shows it.
  ASSERT_TRUE(test::wait_until([&] {
    return std::regex_search(ok({"get", "hpa", "web"}), std::regex(R"(web\s+Deployment/web\s+cpu: 100%/50%\s+1\s+5\s+5\s)"));
  }, 60s, 300ms)) << ok({"get", "hpa", "web"});
  EXPECT_EQ(api_->get<apps::Deployment>("default", "web").spec().replicas(), 5);

  std::string described = ok({"describe", "hpa", "web"});
  EXPECT_TRUE(std::regex_search(described, std::regex(R"(Reference:\s+Deployment/web)"))) << described;
  EXPECT_TRUE(std::regex_search(described, std::regex(R"(Min replicas:\s+1\nMax replicas:\s+5)"))) << described;
  EXPECT_TRUE(std::regex_search(described, std::regex(R"(Deployment pods:\s+5 current / 5 desired)"))) << described;
  EXPECT_TRUE(std::regex_search(described, std::regex(R"(SuccessfulRescale\s+.*New size: \d; reason: cpu resource utilization)")))
      << described;
  if (is_120()) {
    // kubectl 1.20 describes through autoscaling/v1 (it asks v2beta2 first, which Kubernetes 1.33 no longer serves).
    EXPECT_TRUE(std::regex_search(described, std::regex(R"(Target CPU utilization:\s+50%)"))) << described;
    EXPECT_TRUE(std::regex_search(described, std::regex(R"(Current CPU utilization:\s+100%)"))) << described;
  } else {
    EXPECT_TRUE(std::regex_search(described, std::regex(R"(resource cpu on pods\s+\(as a percentage of request\):\s+100% \(100m\) / 50%)")))
        << described;
    EXPECT_TRUE(std::regex_search(described, std::regex(R"(AbleToScale\s+True\s+\w+)"))) << described;
    EXPECT_TRUE(std::regex_search(described, std::regex(R"(ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\))")))
        << described;
    EXPECT_TRUE(std::regex_search(described, std::regex(R"(ScalingLimited\s+True\s+TooManyReplicas)"))) << described;
  }

  std::string yaml = ok({"get", "hpa", "web", "-o", "yaml"});
  EXPECT_NE(yaml.find("apiVersion: autoscaling/v2"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("averageUtilization: 50"), std::string::npos) << yaml;
  std::string replaced = ok({"replace", "-f", "-"}, yaml);
  EXPECT_NE(replaced.find("horizontalpodautoscaler.autoscaling/web replaced"), std::string::npos) << replaced;
  std::string v1 = ok({"get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "yaml"});
  EXPECT_NE(v1.find("apiVersion: autoscaling/v1"), std::string::npos) << v1;
  EXPECT_NE(v1.find("targetCPUUtilizationPercentage: 50"), std::string::npos) << v1;
  EXPECT_NE(v1.find("currentCPUUtilizationPercentage: 100"), std::string::npos) << v1;

  std::string deleted = ok({"delete", "hpa", "web"});
  EXPECT_NE(deleted.find("horizontalpodautoscaler.autoscaling \"web\" deleted"), std::string::npos) << deleted;
  EXPECT_NE(kubectl({"get", "hpa", "web"}).both().find("NotFound"), std::string::npos);
}

TEST_P(KubectlAutoscale, ValidationSpeaksKubernetes) {
  api_->create(web());
  auto refused = kubectl({"apply", "-f", "-"}, R"yaml(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 4
  maxReplicas: 2
)yaml");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.both().find("spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"),
            std::string::npos) << refused.both();
}

INSTANTIATE_TEST_SUITE_P(Kubectls, KubectlAutoscale, test::all_kubectls(), test::kubectl_name);

}  // namespace
