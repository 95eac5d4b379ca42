// DaemonSets and StatefulSets driven by the real kubectl (1.20, 1.27, current): apply, get
// tables, rollout status / history / undo / restart, scale — on a node with the scheduler
// and the controller-manager, pods "run" by the fake kubelet on two nodes.
#include <gtest/gtest.h>

#include <regex>

#include "api_node.hpp"
#include "fake_kubelet.hpp"
#include "kubectl_versions.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const char* kControlPlane =
    "  - name: scheduler-default\n    config: {leader_elect: false}\n"
    "  - name: controller-manager\n    config: {leader_elect: false}\n";

const char* kAgent = R"(apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: registry.local/agent:1
)";

const char* kDb = R"(apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 3
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: registry.local/db:1
)";

class KubectlWorkloads : public ::testing::TestWithParam<test::Kubectl> {
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
  // Images of the running, not deleted pods of an app.
  std::vector<std::string> images(const std::string& app) {
    sdk::ApiClient api(node->node().bus(), node->node().subjects());
    std::vector<std::string> out;
    for (const auto& p : api.list<api::core::v1::Pod>("default", "app=" + app))
      if (p.metadata().deletion_timestamp().empty() && p.status().phase() == "Running")
        out.push_back(p.spec().containers(0).image());
    return out;
  }
  bool all_pods_run(const std::string& app, const std::string& image, std::size_t count) {
    return test::wait_until([&] {
      auto now = images(app);
      return now.size() == count && std::all_of(now.begin(), now.end(), [&](const auto& i) { return i == image; });
    }, 30s);
  }

  std::unique_ptr<test::ApiNode> node;
  std::unique_ptr<test::FakeKubelet> kubelet;
};

TEST_P(KubectlWorkloads, DaemonSetRolloutStatusHistoryUndoRestart) {
  std::string resources = ok({"api-resources", "--api-group=apps"});
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(daemonsets\s+ds\s+apps/v1\s+true\s+DaemonSet)"))) << resources;
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(statefulsets\s+sts\s+apps/v1\s+true\s+StatefulSet)"))) << resources;
  EXPECT_TRUE(std::regex_search(resources, std::regex(R"(controllerrevisions\s+apps/v1\s+true\s+ControllerRevision)")))
      << resources;
  ok({"apply", "-f", "-"}, kAgent);
  EXPECT_NE(ok({"rollout", "status", "daemonset/agent", "--timeout=60s"}).find("successfully rolled out"), std::string::npos);
  std::string table = ok({"get", "ds", "agent"});
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n)"
                                                  R"(agent\s+2\s+2\s+2\s+2\s+2\s+<none>)")))
      << table;

  ok({"set", "image", "ds/agent", "agent=registry.local/agent:2"});
  EXPECT_NE(ok({"rollout", "status", "ds/agent", "--timeout=60s"}).find("successfully rolled out"), std::string::npos);
  ASSERT_TRUE(all_pods_run("agent", "registry.local/agent:2", 2));
  std::string history = ok({"rollout", "history", "ds/agent"});
  EXPECT_TRUE(std::regex_search(history, std::regex(R"(REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>)"))) << history;
  EXPECT_NE(ok({"rollout", "history", "ds/agent", "--revision=1"}).find("registry.local/agent:1"), std::string::npos);

  EXPECT_NE(ok({"rollout", "undo", "ds/agent"}).find("rolled back"), std::string::npos);
  ok({"rollout", "status", "ds/agent", "--timeout=60s"});
  ASSERT_TRUE(all_pods_run("agent", "registry.local/agent:1", 2));
  history = ok({"rollout", "history", "ds/agent"});
  EXPECT_TRUE(std::regex_search(history, std::regex(R"(\n2\s+<none>\n3\s+<none>)"))) << history;  // 1 became 3

  ok({"rollout", "restart", "ds/agent"});
  ok({"rollout", "status", "ds/agent", "--timeout=60s"});
  history = ok({"rollout", "history", "ds/agent"});
  EXPECT_TRUE(std::regex_search(history, std::regex(R"(\n4\s+<none>)"))) << history;

  ok({"delete", "ds", "agent"});
  ASSERT_TRUE(test::wait_until([&] { return images("agent").empty() && ok({"get", "controllerrevisions", "-o", "name"}).empty(); }, 30s));
}

TEST_P(KubectlWorkloads, StatefulSetRolloutScaleHistoryUndo) {
  ok({"apply", "-f", "-"}, kDb);
  EXPECT_NE(ok({"rollout", "status", "sts/db", "--timeout=60s"}).find("3 pods at revision"), std::string::npos);
  std::string table = ok({"get", "statefulset", "db"});
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(NAME\s+READY\s+AGE\ndb\s+3/3\s+)"))) << table;
  std::string pods = ok({"get", "pods", "-l", "app=db", "-o", "name"});
  EXPECT_EQ(pods, "pod/db-0\npod/db-1\npod/db-2\n");

  ok({"set", "image", "sts/db", "db=registry.local/db:2"});
  EXPECT_NE(ok({"rollout", "status", "sts/db", "--timeout=60s"}).find("rolling update complete"), std::string::npos);
  ASSERT_TRUE(all_pods_run("db", "registry.local/db:2", 3));
  std::string history = ok({"rollout", "history", "statefulset/db"});
  EXPECT_TRUE(std::regex_search(history, std::regex(R"(REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>)"))) << history;

  EXPECT_NE(ok({"rollout", "undo", "sts/db"}).find("rolled back"), std::string::npos);
  ok({"rollout", "status", "sts/db", "--timeout=60s"});
  ASSERT_TRUE(all_pods_run("db", "registry.local/db:1", 3));

  ok({"scale", "sts/db", "--replicas=1"});
  ASSERT_TRUE(all_pods_run("db", "registry.local/db:1", 1));
  EXPECT_TRUE(test::wait_until([&] { return ok({"get", "pods", "-l", "app=db", "-o", "name"}) == "pod/db-0\n"; }, 30s))
      << "the highest ordinals go";

  ok({"rollout", "restart", "sts/db"});
  ok({"rollout", "status", "sts/db", "--timeout=60s"});
  ok({"delete", "sts", "db"});
  ASSERT_TRUE(test::wait_until([&] { return images("db").empty(); }, 30s));
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlWorkloads, test::all_kubectls(), test::kubectl_name);

}  // namespace
