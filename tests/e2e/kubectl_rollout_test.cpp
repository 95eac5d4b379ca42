// Rollouts driven by the real kubectl: apply, set image, rollout status / history / undo /
// pause / resume / restart, scale, describe and a cascading delete — on a node with the
// scheduler and the controller-manager, pods "run" by the fake kubelet.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "api_node.hpp"
#include "fake_kubelet.hpp"
#include "kubectl_versions.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const char* kControlPlane =
    "  - name: scheduler-default\n    config: {leader_elect: false}\n"
    "  - name: controller-manager\n    config: {leader_elect: false}\n";

const char* kWeb = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.local/web:1
        resources:
          requests: {cpu: 100m}
)";

class KubectlRollout : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override {
    SKIFF_REQUIRE_KUBECTL(GetParam());
    node = std::make_unique<test::ApiNode>("", kControlPlane);
    test::FakeKubeletOptions options;
    options.ready_after = 50ms;
    kubelet = std::make_unique<test::FakeKubelet>(node->node().bus(), node->node().subjects(),
                                                  std::vector<std::string>{"node-1", "node-2"}, options);
  }
  void TearDown() override {
    if (HasFailure() && node) std::fprintf(stderr, "skiffd output:\n%s\n", node->node().output().c_str());
    kubelet.reset();
  }
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = node->kubectl(GetParam().binary, args, stdin_text, 90s);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.both();
    return r.out;
  }
  std::vector<std::string> images() {
    sdk::ApiClient api(node->node().bus(), node->node().subjects());
    std::vector<std::string> out;
    for (const auto& p : api.list<api::core::v1::Pod>("default", "app=web"))
      if (p.metadata().deletion_timestamp().empty()) out.push_back(p.spec().containers(0).image());
    return out;
  }
  bool all_pods_run(const std::string& image, std::size_t count) {
    return test::wait_until([&] {
      auto now = images();
      return now.size() == count && std::all_of(now.begin(), now.end(), [&](const auto& i) { return i == image; });
    }, 30s);
  }

  std::unique_ptr<test::ApiNode> node;
  std::unique_ptr<test::FakeKubelet> kubelet;
};

TEST_P(KubectlRollout, ApplySetImageStatusHistoryUndo) {
  ok({"apply", "-f", "-"}, kWeb);
  EXPECT_NE(ok({"rollout", "status", "deployment/web", "--timeout=60s"}).find("successfully rolled out"), std::string::npos);
  EXPECT_TRUE(std::regex_search(ok({"get", "deployment", "web"}), std::regex(R"(web\s+3/3\s+3\s+3)")));

  ok({"set", "image", "deployment/web", "web=registry.local/web:2"});
  ok({"annotate", "deployment/web", "kubernetes.io/change-cause=image 2", "--overwrite"});
  EXPECT_NE(ok({"rollout", "status", "deployment/web", "--timeout=60s"}).find("successfully rolled out"), std::string::npos);
  ASSERT_TRUE(all_pods_run("registry.local/web:2", 3));

  std::string history = ok({"rollout", "history", "deployment/web"});
  EXPECT_TRUE(std::regex_search(history, std::regex(R"(REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+)"))) << history;

  std::string undone = ok({"rollout", "undo", "deployment/web"});
  EXPECT_NE(undone.find("rolled back"), std::string::npos) << undone;
  EXPECT_NE(ok({"rollout", "status", "deployment/web", "--timeout=60s"}).find("successfully rolled out"), std::string::npos);
  ASSERT_TRUE(all_pods_run("registry.local/web:1", 3));
  history = ok({"rollout", "history", "deployment/web"});
  EXPECT_TRUE(std::regex_search(history, std::regex(R"(\n2\s+[^\n]*\n3\s+)"))) << history;  // 1 became 3

  std::string described = ok({"describe", "deployment", "web"});
  EXPECT_TRUE(std::regex_search(described, std::regex(R"(Normal\s+ScalingReplicaSet\s+.*deployment-controller\s+Scaled up replica set web-)")))
      << described;
}

TEST_P(KubectlRollout, ScalePauseResumeRestartDelete) {
  ok({"apply", "-f", "-"}, kWeb);
  ok({"rollout", "status", "deployment/web", "--timeout=60s"});
  ok({"scale", "deployment/web", "--replicas=5"});
  ASSERT_TRUE(all_pods_run("registry.local/web:1", 5));
  ok({"rollout", "status", "deployment/web", "--timeout=60s"});
  std::string described = ok({"describe", "deployment", "web"});
  EXPECT_TRUE(std::regex_search(described, std::regex(R"(Scaled up replica set web-\w+ to 5 from 3)"))) << described;
  EXPECT_FALSE(std::regex_search(described, std::regex(R"(to (\d+) from \1\b)"))) << "a resize to the same size\n"
                                                                                   << described;

  ok({"rollout", "pause", "deployment/web"});
  ok({"set", "image", "deployment/web", "web=registry.local/web:3"});
  std::string sets = ok({"get", "replicasets", "-o", "name"});
  EXPECT_EQ(std::count(sets.begin(), sets.end(), '\n'), 1) << "paused: no new ReplicaSet\n" << sets;
  ok({"rollout", "resume", "deployment/web"});
  ok({"rollout", "status", "deployment/web", "--timeout=60s"});
  ASSERT_TRUE(all_pods_run("registry.local/web:3", 5));

  ok({"rollout", "restart", "deployment/web"});
  ok({"rollout", "status", "deployment/web", "--timeout=60s"});
  sets = ok({"get", "replicasets", "-o", "name"});
  EXPECT_EQ(std::count(sets.begin(), sets.end(), '\n'), 3) << sets;

  ok({"delete", "deployment", "web"});
  ASSERT_TRUE(test::wait_until([&] { return images().empty() && ok({"get", "replicasets", "-o", "name"}).empty(); }, 30s));
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlRollout, test::all_kubectls(), test::kubectl_name);

}  // namespace
