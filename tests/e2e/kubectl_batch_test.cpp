// Jobs and CronJobs driven by the real kubectl (1.20, 1.27 and the machine's) on a node whose
// pods are Docker containers: create job → complete → logs, an Indexed job, a failing job at
// its backoff limit, TTL deletion, suspend/resume, a CronJob on the controller's test clock
// starting Jobs and trimming history, and create job --from=cronjob. Each test runs its own
// node name and removes every container labelled with it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>
#include <set>

#include "api_node.hpp"
#include "command.hpp"
#include "kubectl_versions.hpp"
#include "node_containers.hpp"
#include "skiff/api/batch/v1/batch.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/time.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace batch = api::batch::v1;
using api::core::v1::Pod;

const char* kDocker = "/usr/bin/docker";

std::string unique_node() {
  static int counter = 0;
  return "e2e-batch-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

class KubectlBatch : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override {
    SKIFF_REQUIRE_KUBECTL(GetParam());
    if (test::run_command({kDocker, "version"}).exit_code != 0)
      FAIL() << "no Docker daemon answers; `make test` starts one (scripts/dockerd.sh)";
    auto images = test::run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
    ASSERT_EQ(images.exit_code, 0) << images.both();
    std::string name = unique_node();
    containers_ = std::make_unique<test::NodeContainers>(name);
    node_ = std::make_unique<test::ApiNode>(
        "",
        "  - name: scheduler-default\n    config: {leader_elect: false}\n"
        "  - name: controller-manager\n    config: {leader_elect: false, cronjob_clock_configmap: default/cron-clock}\n"
        "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
        "  - name: kubelet\n    config: {relist_period: 500ms, server_address: \"127.0.0.1:0\"}\n",
        name);
    api_ = std::make_unique<sdk::ApiClient>(node_->node().bus(), node_->node().subjects());
  }
  void TearDown() override {
    if (HasFailure() && node_) std::fprintf(stderr, "skiffd output:\n%s\n", node_->node().output().c_str());
    api_.reset();
    node_.reset();
    containers_.reset();
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
  bool gone(const std::string& what) {
    return test::wait_until([&] { return kubectl({"get", what}).err.find("NotFound") != std::string::npos; }, 60s, 200ms);
  }
  std::vector<Pod> pods(const std::string& selector) { return api_->list<Pod>("default", selector); }
  void set_clock(std::chrono::system_clock::time_point now) {
    api::core::v1::ConfigMap clock;
    clock.mutable_metadata()->set_name("cron-clock");
    clock.mutable_metadata()->set_namespace_("default");
    (*clock.mutable_data())["now"] = sdk::format_rfc3339(now);
    try {
      auto current = api_->get<api::core::v1::ConfigMap>("default", "cron-clock");
      *current.mutable_data() = clock.data();
      api_->update(current);
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) throw;
      api_->create(clock);
    }
  }

  std::unique_ptr<test::NodeContainers> containers_;
  std::unique_ptr<test::ApiNode> node_;
  std::unique_ptr<sdk::ApiClient> api_;
};

TEST_P(KubectlBatch, CreateJobCompletesShowsLogsAndDeletesItsPods) {
  ok({"create", "job", "hello", "--image=skiff/busybox:1", "--", "echo", "hello from a job"});
  std::string waited = ok({"wait", "--for=condition=complete", "job/hello", "--timeout=60s"});
  EXPECT_NE(waited.find("condition met"), std::string::npos) << waited;
  EXPECT_NE(ok({"logs", "job/hello"}).find("hello from a job"), std::string::npos);
  std::string table = ok({"get", "job", "hello"});
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nhello\s+Complete\s+1/1\s+\d+s)")))
      << table;
  std::string wide = ok({"get", "job", "hello", "-o", "wide"});
  EXPECT_TRUE(std::regex_search(wide, std::regex(R"(hello\s+.*skiff/busybox:1\s+batch.kubernetes.io/controller-uid=)"))) << wide;
  ASSERT_EQ(pods("job-name=hello").size(), 1u);
  ok({"delete", "job", "hello"});
  ASSERT_TRUE(test::wait_until([&] { return pods("job-name=hello").empty(); }, 60s, 200ms));
}

TEST_P(KubectlBatch, AFailingJobReachesItsBackoffLimit) {
  ok({"apply", "-f", "-"}, R"yaml(apiVersion: batch/v1
kind: Job
metadata: {name: doomed}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: skiff/busybox:1, command: [sh, -c, "exit 3"]}
)yaml");
  // Two pods, the second 10 s after the first failed.
  ok({"wait", "--for=condition=failed", "job/doomed", "--timeout=80s"});
  std::string table = ok({"get", "job", "doomed"});
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(doomed\s+Failed\s+0/1)"))) << table;
  EXPECT_EQ(pods("job-name=doomed").size(), 2u);
  std::string described = ok({"describe", "job", "doomed"});
  EXPECT_NE(described.find("BackoffLimitExceeded"), std::string::npos) << described;
}

TEST_P(KubectlBatch, IndexedJobPodsKnowTheirIndex) {
  if (is_120()) GTEST_SKIP() << "one client is enough for the pods' side";
  ok({"apply", "-f", "-"}, R"yaml(apiVersion: batch/v1
kind: Job
metadata: {name: idx}
spec:
  completions: 3
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: skiff/busybox:1, command: [sh, -c, 'echo "index=$JOB_COMPLETION_INDEX host=$(hostname)"']}
)yaml");
  ok({"wait", "--for=condition=complete", "job/idx", "--timeout=60s"});
  std::set<std::string> lines;
  for (const auto& pod : pods("job-name=idx")) {
    std::string index = pod.metadata().annotations().at("batch.kubernetes.io/job-completion-index");
    std::string log = ok({"logs", pod.metadata().name()});
    EXPECT_EQ(log, "index=" + index + " host=idx-" + index + "\n");
    lines.insert(log);
  }
  EXPECT_EQ(lines.size(), 3u);
  EXPECT_NE(ok({"get", "job", "idx", "-o", "jsonpath={.status.completedIndexes}"}).find("0-2"), std::string::npos);
}

TEST_P(KubectlBatch, TtlAfterFinishedDeletesTheJobAndItsPods) {
  if (is_120()) GTEST_SKIP() << "one client is enough for the controller's side";
  ok({"apply", "-f", "-"}, R"yaml(apiVersion: batch/v1
kind: Job
metadata: {name: brief}
spec:
  ttlSecondsAfterFinished: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: skiff/busybox:1, command: ["true"]}
)yaml");
  ASSERT_TRUE(gone("job/brief"));
  ASSERT_TRUE(test::wait_until([&] { return pods("job-name=brief").empty(); }, 60s, 200ms));
}

TEST_P(KubectlBatch, SuspendAndResume) {
  ok({"apply", "-f", "-"}, R"yaml(apiVersion: batch/v1
kind: Job
metadata: {name: nap}
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: skiff/busybox:1, command: [echo, resumed]}
)yaml");
  ASSERT_TRUE(test::wait_until([&] { return ok({"get", "job", "nap"}).find("Suspended") != std::string::npos; }, 30s, 200ms));
  EXPECT_TRUE(pods("job-name=nap").empty());
  ok({"patch", "job", "nap", "-p", R"({"spec":{"suspend":false}})"});
  ok({"wait", "--for=condition=complete", "job/nap", "--timeout=60s"});
  EXPECT_NE(ok({"logs", "job/nap"}).find("resumed"), std::string::npos);
}

TEST_P(KubectlBatch, ACronJobStartsJobsOnItsClockAndKeepsItsHistory) {
  if (is_120()) GTEST_SKIP() << "kubectl 1.20 creates batch/v1beta1 CronJobs, which Kubernetes 1.25 and Skiff do not serve";
  set_clock(std::chrono::system_clock::now());
  ok({"create", "cronjob", "tick", "--image=skiff/busybox:1", "--schedule=* * * * *", "--", "echo", "tick"});
  ok({"patch", "cronjob", "tick", "-p", R"({"spec":{"successfulJobsHistoryLimit":1}})"});
  auto created = *sdk::parse_rfc3339(api_->get<batch::CronJob>("default", "tick").metadata().creation_timestamp());
  std::string last;
  for (int minute = 1; minute <= 3; ++minute) {
    auto now = created + std::chrono::minutes(minute) + 1s;
    set_clock(now);
    auto scheduled = std::chrono::floor<std::chrono::minutes>(now);
    last = "tick-" + std::to_string(scheduled.time_since_epoch().count());
    ASSERT_TRUE(test::wait_until([&] { return kubectl({"get", "job", last}).exit_code == 0; }, 30s, 200ms)) << last;
    ok({"wait", "--for=condition=complete", "job/" + last, "--timeout=60s"});
  }
  // One successful Job is kept, the newest; its pods are all that is left.
  ASSERT_TRUE(test::wait_until([&] { return ok({"get", "jobs", "-o", "name"}) == "job.batch/" + last + "\n"; }, 60s, 200ms))
      << ok({"get", "jobs"});
  EXPECT_NE(ok({"logs", "job/" + last}).find("tick"), std::string::npos);
  std::string table = ok({"get", "cronjob", "tick"});
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\ntick\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+)")))
      << table;
  std::string annotation = ok({"get", "job", last, "-o", R"(jsonpath={.metadata.annotations.batch\.kubernetes\.io/cronjob-scheduled-timestamp})"});
  auto scheduled = std::chrono::floor<std::chrono::minutes>(created + std::chrono::minutes(3) + 1s);
  EXPECT_EQ(annotation, sdk::format_rfc3339(scheduled));
}

TEST_P(KubectlBatch, CreateJobFromACronJob) {
  if (is_120()) GTEST_SKIP() << "kubectl 1.20 reads CronJobs as batch/v1beta1, which Kubernetes 1.25 and Skiff do not serve";
  ok({"create", "cronjob", "nightly", "--image=skiff/busybox:1", "--schedule=0 3 * * *", "--", "echo", "by hand"});
  ok({"create", "job", "now", "--from=cronjob/nightly"});
  ok({"wait", "--for=condition=complete", "job/now", "--timeout=60s"});
  EXPECT_NE(ok({"logs", "job/now"}).find("by hand"), std::string::npos);
  auto job = api_->get<batch::Job>("default", "now");
  EXPECT_EQ(job.metadata().annotations().at("cronjob.kubernetes.io/instantiate"), "manual");
  ASSERT_EQ(job.metadata().owner_references_size(), 1);
  EXPECT_EQ(job.metadata().owner_references(0).kind(), "CronJob");
  EXPECT_EQ(job.metadata().owner_references(0).name(), "nightly");
  EXPECT_EQ(ok({"get", "cronjob", "nightly", "-o", "jsonpath={.status.active}"}), "");  // finished: not active
}

TEST_P(KubectlBatch, BadSpecsAreRefusedNamingTheField) {
  auto bad = kubectl({"apply", "-f", "-"}, R"yaml(apiVersion: batch/v1
kind: CronJob
metadata: {name: wrong}
spec:
  schedule: "@every 5m"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - {name: main, image: skiff/busybox:1}
)yaml");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("spec.schedule: Invalid value: \"@every 5m\""), std::string::npos) << bad.both();
  EXPECT_NE(bad.err.find("spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: \"Always\""), std::string::npos)
      << bad.both();
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlBatch, test::all_kubectls(), test::kubectl_name);

}  // namespace
