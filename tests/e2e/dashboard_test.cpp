// The Web UI in a real browser: Debian's headless Chromium driven by puppeteer-core
// (tests/browser/dashboard_scenarios.mjs) against one all-in-one node for the suite — Docker
// pods, the dashboard addon at /ui/ on the apiserver's TLS — with kubectl checking what the UI
// did. Screenshots of each view land in <build>/test-screenshots/dashboard. Each scenario is a
// Node process that exits 0 or names what it did not see.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "api_node.hpp"
#include "command.hpp"
#include "node_containers.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const char* kDocker = "/usr/bin/docker";
const char* kKubectl = "/usr/bin/kubectl";
const std::string kScenarios = std::string(SKIFF_SOURCE_DIR) + "/tests/browser/dashboard_scenarios.mjs";
const std::string kShots = std::string(SKIFF_BINARY_DIR) + "/test-screenshots/dashboard";
const std::string kNode = "e2e-dashboard-" + std::to_string(::getpid());

const char* kWorkloads = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: main, image: skiff/busybox:1, command: [sh, -c, "echo web up; exec sleep 3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: skiff/busybox:1, command: [sh, -c, "i=0; while true; do echo talker-line-$i; i=$((i+1)); sleep 1; done"]}
)";

class Dashboard : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test::remove_node_containers(kNode);
    node_ = new test::ApiNode("",
                              "  - name: scheduler-default\n    config: {leader_elect: false}\n"
                              "  - name: controller-manager\n    config: {leader_elect: false}\n"
                              "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
                              "  - name: kubelet\n    config: {relist_period: 500ms, server_address: \"127.0.0.1:0\"}\n"
                              "  - name: dashboard\n",
                              kNode);
    fs::create_directories(kShots);
  }
  static void TearDownTestSuite() {
    delete node_;
    node_ = nullptr;
    test::remove_node_containers(kNode);
  }
  void SetUp() override {
    if (test::run_command({kDocker, "version"}).exit_code != 0)
      FAIL() << "no Docker daemon answers; `make test` starts one (scripts/dockerd.sh)";
    if (!fs::exists("/usr/bin/chromium")) FAIL() << "no /usr/bin/chromium: scripts/deps.sh test installs it";
    auto images = test::run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
    ASSERT_EQ(images.exit_code, 0) << images.both();
    ok({"apply", "-f", "-"}, kWorkloads);
    ok({"rollout", "status", "deployment/web", "--timeout=120s"});
    ok({"wait", "pod/talker", "--for=condition=Ready", "--timeout=120s"});
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output (end):\n%s\n", tail(node_->node().output()).c_str());
  }

  static std::string tail(const std::string& text) { return text.size() > 6000 ? text.substr(text.size() - 6000) : text; }
  static std::string ok(std::vector<std::string> args, const std::string& stdin_text = "") {
    auto r = node_->kubectl(kKubectl, args, stdin_text, 150s);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args[0] << ": " << r.both();
    return r.out;
  }
  static std::vector<std::string> scenario_argv(const std::string& name, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/node", kScenarios, name, "--url",
                                     "https://127.0.0.1:" + std::to_string(node_->port()) + "/ui/", "--token",
                                     node_->token(), "--shots", kShots, "--modules",
                                     std::string(SKIFF_DASHBOARD_MODULES) + "/node_modules"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  // Runs a scenario to its end; its output is the failure message.
  static void run(const std::string& name, const std::vector<std::string>& args = {}) {
    auto r = test::run_command(scenario_argv(name, args), {}, 180s);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.both();
  }

  static test::ApiNode* node_;
};

test::ApiNode* Dashboard::node_ = nullptr;

// A scenario that prints READY once the page is watching, then waits for what the test does.
class RunningScenario {
 public:
  explicit RunningScenario(const std::vector<std::string>& argv) {
    std::string command;
    for (const auto& a : argv) command += "'" + a + "' ";
    pipe_ = popen((command + "2>&1").c_str(), "r");
  }
  ~RunningScenario() { finish(); }
  // The lines printed until READY; false when it ended first.
  bool wait_ready(std::string& printed) {
    char line[4096];
    while (pipe_ && fgets(line, sizeof line, pipe_)) {
      printed += line;
      if (std::string(line).rfind("READY", 0) == 0) return true;
    }
    return false;
  }
  // Its exit code and the rest of what it printed.
  int finish(std::string* printed = nullptr) {
    if (!pipe_) return -1;
    char line[4096];
    while (fgets(line, sizeof line, pipe_))
      if (printed) *printed += line;
    int status = pclose(pipe_);
    pipe_ = nullptr;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  FILE* pipe_ = nullptr;
};

TEST_F(Dashboard, LoggingInShowsTheNodeReady) { run("login"); }

TEST_F(Dashboard, AWrongTokenIsRefused) { run("wrong-token"); }

TEST_F(Dashboard, ScalingFromTheUiIsWhatKubectlSees) {
  run("scale", {"--namespace", "default", "--name", "web", "--replicas", "2"});
  EXPECT_EQ(ok({"get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"}), "2");
  EXPECT_TRUE(test::wait_until([] {
    return node_->kubectl(kKubectl, {"get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}"}).out == "2";
  }, 120s));
  ok({"scale", "deployment", "web", "--replicas=1"});
}

TEST_F(Dashboard, APodCreatedWithKubectlAppearsWithoutAReload) {
  RunningScenario page(scenario_argv("pod-appears", {"--namespace", "default", "--name", "newcomer"}));
  std::string printed;
  ASSERT_TRUE(page.wait_ready(printed)) << printed;
  ok({"run", "newcomer", "--image=skiff/busybox:1", "--restart=Never", "--", "sleep", "3600"});
  int code = page.finish(&printed);
  EXPECT_EQ(code, 0) << printed;
  ok({"delete", "pod", "newcomer", "--wait=false"});
}

TEST_F(Dashboard, APodsLogsStreamInItsPage) {
  run("logs", {"--namespace", "default", "--name", "talker", "--expect", "talker-line-"});
}

TEST_F(Dashboard, TheExecTerminalRunsACommandInThePod) { run("exec", {"--namespace", "default", "--name", "talker"}); }

TEST_F(Dashboard, ABadYamlEditShowsTheApisMessageAtTheField) {
  run("bad-yaml", {"--namespace", "default", "--name", "web"});
  EXPECT_EQ(ok({"get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"}), "1") << "the bad edit was refused";
}

TEST_F(Dashboard, SeveralYamlDocumentsAreCreatedInOrder) {
  run("create-many", {"--namespace", "default", "--name", "pasted"});
  EXPECT_EQ(ok({"get", "configmap", "pasted-1", "pasted-2", "-o", "jsonpath={.items[*].data.n}"}), "1 2");
  ok({"delete", "configmap", "pasted-1", "pasted-2"});
}

TEST_F(Dashboard, EachMainViewIsSavedAsAScreenshot) {
  run("screenshots");
  int pngs = 0;
  for (const auto& entry : fs::directory_iterator(kShots)) pngs += entry.path().extension() == ".png";
  EXPECT_GE(pngs, 6) << "in " << kShots;
}

}  // namespace
