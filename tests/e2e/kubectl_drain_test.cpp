// kubectl drain, cordon, uncordon and create pdb with the real kubectl (1.20, 1.27, current),
// which send Evictions and DeleteOptions in Kubernetes' protobuf: the node is cordoned, its
// pods evicted only as far as their PodDisruptionBudget allows (kubectl retries on 429), and
// the Deployment's pods move to the other node while the budget's minimum stays available.
// Pods "run" on two nodes by the fake kubelet.
#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "api_node.hpp"
#include "fake_kubelet.hpp"
#include "kubectl_versions.hpp"
#include "skiff/api/core/v1/node.pb.h"
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
  replicas: 4
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: registry.local/web:1
)";

const char* kBarePod = R"(apiVersion: v1
kind: Pod
metadata:
  name: scratch
spec:
  nodeName: node-1
  containers:
  - name: main
    image: registry.local/tool:1
  volumes:
  - name: tmp
    emptyDir: {}
)";

class KubectlDrain : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override {
    SKIFF_REQUIRE_KUBECTL(GetParam());
    node = std::make_unique<test::ApiNode>("", kControlPlane);
    test::FakeKubeletOptions options;
    options.ready_after = 50ms;
    kubelet = std::make_unique<test::FakeKubelet>(node->node().bus(), node->node().subjects(),
                                                  std::vector<std::string>{"node-1", "node-2"}, options);
    api = std::make_unique<sdk::ApiClient>(node->node().bus(), node->node().subjects());
  }
  void TearDown() override {
    if (HasFailure() && node) std::fprintf(stderr, "skiffd output:\n%s\n", node->node().output().c_str());
    kubelet.reset();
  }
  test::CommandResult kubectl(std::vector<std::string> args, const std::string& stdin_text = "") {
    return node->kubectl(GetParam().binary, std::move(args), stdin_text, 120s);
  }
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = kubectl(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.both();
    return r.both();
  }
  // The web pods not being deleted, by node, and how many of them are Ready.
  std::map<std::string, int> web_pods_by_node(int* ready = nullptr) {
    std::map<std::string, int> out;
    if (ready) *ready = 0;
    for (const auto& p : api->list<api::core::v1::Pod>("default", "app=web")) {
      if (!p.metadata().deletion_timestamp().empty()) continue;
      ++out[p.spec().node_name()];
      if (ready)
        for (const auto& c : p.status().conditions())
          if (c.type() == "Ready" && c.status() == "True") ++*ready;
    }
    return out;
  }
  bool unschedulable(const std::string& name) { return api->get<api::core::v1::Node>("", name).spec().unschedulable(); }
  // Four ready web pods, all on node-1 (node-2 cordoned meanwhile), and a budget of at least 3.
  void four_pods_on_node_one_with_a_budget() {
    ok({"cordon", "node-2"});
    ok({"apply", "-f", "-"}, kWeb);
    ok({"rollout", "status", "deployment/web", "--timeout=60s"});
    ASSERT_EQ(web_pods_by_node(), (std::map<std::string, int>{{"node-1", 4}}));
    if (GetParam().name == "kubectl_1_20")  // its `create pdb` writes policy/v1beta1, which Skiff does not serve
      ok({"apply", "-f", "-"}, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n"
                               "spec: {minAvailable: 3, selector: {matchLabels: {app: web}}}\n");
    else
      ok({"create", "pdb", "web", "--selector=app=web", "--min-available=3"});
    // NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE, once the controller has counted.
    ASSERT_TRUE(test::wait_until([&] { return std::regex_search(ok({"get", "pdb", "web"}), std::regex(R"(web\s+3\s+N/A\s+1\s)")); },
                                 30s))
        << ok({"get", "pdb", "web", "-o", "yaml"});
    ok({"uncordon", "node-2"});
  }

  std::unique_ptr<test::ApiNode> node;
  std::unique_ptr<test::FakeKubelet> kubelet;
  std::unique_ptr<sdk::ApiClient> api;
};

TEST_P(KubectlDrain, PodsMoveToTheOtherNodeWhileTheBudgetHolds) {
  four_pods_on_node_one_with_a_budget();
  std::atomic<bool> draining{true};
  std::atomic<int> fewest_ready{4};
  std::thread watcher([&] {  // what a client sees while the drain runs: never fewer than 3 ready
    while (draining) {
      int ready = 0;
      web_pods_by_node(&ready);
      fewest_ready = std::min(fewest_ready.load(), ready);
    }
  });
  std::string drained = ok({"drain", "node-1", "--timeout=90s"});
  draining = false;
  watcher.join();
  EXPECT_NE(drained.find("evicting pod default/web-"), std::string::npos) << drained;
  EXPECT_TRUE(std::regex_search(drained, std::regex(R"(node/node-1 (drained|evicted))"))) << drained;
  EXPECT_GE(fewest_ready.load(), 3);
  EXPECT_TRUE(unschedulable("node-1"));
  ASSERT_TRUE(test::wait_until([&] { return web_pods_by_node() == std::map<std::string, int>{{"node-2", 4}}; }, 30s));
  ok({"uncordon", "node-1"});
  EXPECT_FALSE(unschedulable("node-1"));
}

TEST_P(KubectlDrain, ABudgetThatCannotBeMetStopsTheDrain) {
  four_pods_on_node_one_with_a_budget();
  ok({"patch", "pdb", "web", "--type=merge", "-p", R"({"spec":{"minAvailable":4}})"});
  ASSERT_TRUE(test::wait_until([&] { return std::regex_search(ok({"get", "pdb", "web"}), std::regex(R"(web\s+4\s+N/A\s+0\s)")); },
                               30s));
  auto r = kubectl({"drain", "node-1", "--timeout=6s"});
  EXPECT_NE(r.exit_code, 0) << r.both();
  EXPECT_NE(r.both().find("Cannot evict pod as it would violate the pod's disruption budget."), std::string::npos) << r.both();
  EXPECT_EQ(web_pods_by_node(), (std::map<std::string, int>{{"node-1", 4}}));
  EXPECT_TRUE(unschedulable("node-1"));
}

TEST_P(KubectlDrain, BarePodsNeedForceAndEmptyDirsTheirFlag) {
  ok({"apply", "-f", "-"}, kBarePod);
  ASSERT_TRUE(test::wait_until([&] { return api->get<api::core::v1::Pod>("default", "scratch").status().phase() == "Running"; },
                               30s));
  // kubectl names the first reason a pod cannot go: its emptyDir, then its missing controller.
  auto refused = kubectl({"drain", "node-1", "--timeout=30s"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.both().find("(use --delete-emptydir-data to override)"), std::string::npos) << refused.both();
  refused = kubectl({"drain", "node-1", "--delete-emptydir-data", "--timeout=30s"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.both().find("(use --force to override)"), std::string::npos) << refused.both();
  std::string drained = ok({"drain", "node-1", "--force", "--delete-emptydir-data", "--timeout=60s"});
  EXPECT_NE(drained.find("scratch"), std::string::npos) << drained;
  ASSERT_TRUE(test::wait_until([&] { return api->list<api::core::v1::Pod>("default").empty(); }, 30s));
  ok({"uncordon", "node-1"});
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlDrain, test::all_kubectls(), test::kubectl_name);

}  // namespace
