// The Job, TTL-after-finished and CronJob controllers against a real bus, store and API server.
// No scheduler or kubelet: the tests play the kubelet by writing the pods' outcomes to their
// status, and move the CronJob controller's clock through its ConfigMap.
#include <gtest/gtest.h>

#include <algorithm>

#include "plugin_node.hpp"
#include "skiff/api/batch/v1/batch.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/time.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace batch = api::batch::v1;

const std::string kPlugins =
    "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
    "  - name: controller-manager\n    config:\n      leader_elect: false\n"
    "      cronjob_clock_configmap: default/cron-clock\n";

batch::Job job(const std::string& name) {
  batch::Job j;
  j.mutable_metadata()->set_name(name);
  j.mutable_metadata()->set_namespace_("default");
  auto* spec = j.mutable_spec()->mutable_template_()->mutable_spec();
  spec->set_restart_policy("Never");
  auto* c = spec->add_containers();
  c->set_name("main");
  c->set_image("busybox:1.36");
  return j;
}

class BatchControllers : public ::testing::Test {
 protected:
  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
  }

  std::vector<core::Pod> pods_of(const std::string& job_name, bool active_only = true) {
    std::vector<core::Pod> out;
    for (auto& p : api_->list<core::Pod>("default", "job-name=" + job_name)) {
      bool finished = p.status().phase() == "Succeeded" || p.status().phase() == "Failed";
      if (!active_only || (!finished && p.metadata().deletion_timestamp().empty())) out.push_back(std::move(p));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.metadata().name() < b.metadata().name(); });
    return out;
  }
  bool pod_count(const std::string& job_name, std::size_t n) {
    return test::wait_until([&] { return pods_of(job_name).size() == n; }, 20s);
  }

  // Plays the kubelet: the pod's container ended with this exit code.
  void finish(const core::Pod& pod, int exit_code, const std::string& condition = "") {
    for (int attempt = 0;; ++attempt) {
      auto p = api_->get<core::Pod>("default", pod.metadata().name());
      auto* status = p.mutable_status();
      status->set_phase(exit_code == 0 ? "Succeeded" : "Failed");
      status->clear_container_statuses();
      auto* s = status->add_container_statuses();
      s->set_name("main");
      s->mutable_state()->mutable_terminated()->set_exit_code(exit_code);
      s->mutable_state()->mutable_terminated()->set_finished_at(sdk::now_rfc3339());
      if (!condition.empty()) {
        auto* c = status->add_conditions();
        c->set_type(condition);
        c->set_status("True");
      }
      try {
        api_->update(p, "status");
        return;
      } catch (const sdk::Error& e) {
        if (e.status().code != 409 || attempt > 20) throw;
      }
    }
  }

  batch::Job get_job(const std::string& name) { return api_->get<batch::Job>("default", name); }
  bool condition(const std::string& job_name, const std::string& type, const std::string& reason = "") {
    return test::wait_until([&] {
      auto job = get_job(job_name);
      for (const auto& c : job.status().conditions())
        if (c.type() == type && c.status() == "True" && (reason.empty() || c.reason() == reason)) return true;
      return false;
    }, 20s);
  }

  void set_clock(std::chrono::system_clock::time_point now) {
    core::ConfigMap clock;
    clock.mutable_metadata()->set_name("cron-clock");
    clock.mutable_metadata()->set_namespace_("default");
    (*clock.mutable_data())["now"] = sdk::format_rfc3339(now);
    try {
      auto current = api_->get<core::ConfigMap>("default", "cron-clock");
      *current.mutable_data() = clock.data();
      api_->update(current);
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) throw;
      api_->create(clock);
    }
  }

  test::NatsServer nats_;
  test::PluginNode node_{nats_, kPlugins};
  std::unique_ptr<sdk::ApiClient> api_;
};

TEST_F(BatchControllers, AJobRunsItsCompletionsAtItsParallelism) {
  auto j = job("count");
  j.mutable_spec()->set_completions(3);
  j.mutable_spec()->set_parallelism(2);
  auto made = api_->create(j);
  EXPECT_EQ(made.spec().selector().match_labels().at("batch.kubernetes.io/controller-uid"), made.metadata().uid());
  ASSERT_TRUE(pod_count("count", 2));
  auto pods = pods_of("count");
  EXPECT_EQ(pods[0].metadata().labels().at("controller-uid"), made.metadata().uid());
  finish(pods[0], 0);
  // One more pod for the last completion; never more than the two at a time.
  ASSERT_TRUE(test::wait_until([&] { return get_job("count").status().succeeded() == 1 && pods_of("count").size() == 2; }, 20s));
  for (const auto& p : pods_of("count")) finish(p, 0);
  ASSERT_TRUE(condition("count", "Complete", "CompletionsReached"));
  auto done = get_job("count");
  EXPECT_EQ(done.status().succeeded(), 3);
  EXPECT_EQ(done.status().active(), 0);
  EXPECT_FALSE(done.status().start_time().empty());
  EXPECT_FALSE(done.status().completion_time().empty());
}

TEST_F(BatchControllers, AnIndexedJobGivesEachPodItsIndex) {
  auto j = job("idx");
  j.mutable_spec()->set_completions(3);
  j.mutable_spec()->set_parallelism(3);
  j.mutable_spec()->set_completion_mode("Indexed");
  api_->create(j);
  ASSERT_TRUE(pod_count("idx", 3));
  std::set<std::string> indexes, hostnames;
  for (const auto& p : pods_of("idx")) {
    indexes.insert(p.metadata().annotations().at("batch.kubernetes.io/job-completion-index"));
    hostnames.insert(p.spec().hostname());
    EXPECT_EQ(p.spec().containers(0).env(0).name(), "JOB_COMPLETION_INDEX");
  }
  EXPECT_EQ(indexes, (std::set<std::string>{"0", "1", "2"}));
  EXPECT_EQ(hostnames, (std::set<std::string>{"idx-0", "idx-1", "idx-2"}));
  for (const auto& p : pods_of("idx"))
    if (p.metadata().annotations().at("batch.kubernetes.io/job-completion-index") == "1") finish(p, 0);
  ASSERT_TRUE(test::wait_until([&] { return get_job("idx").status().completed_indexes() == "1"; }, 20s));
  // A failed index is run again, by a new pod with the same index.
  for (const auto& p : pods_of("idx"))
    if (p.metadata().annotations().at("batch.kubernetes.io/job-completion-index") == "2") finish(p, 3);
  ASSERT_TRUE(test::wait_until([&] { return get_job("idx").status().failed() == 1; }, 20s));
  for (const auto& p : pods_of("idx")) finish(p, 0);
  ASSERT_TRUE(test::wait_until([&] { return get_job("idx").status().completed_indexes() == "0-1"; }, 20s));
  ASSERT_TRUE(pod_count("idx", 1));  // index 2, after its back-off
  EXPECT_EQ(pods_of("idx")[0].metadata().annotations().at("batch.kubernetes.io/job-completion-index"), "2");
  finish(pods_of("idx")[0], 0);
  ASSERT_TRUE(condition("idx", "Complete"));
  EXPECT_EQ(get_job("idx").status().completed_indexes(), "0-2");
}

TEST_F(BatchControllers, FailuresBackOffThenReachTheBackoffLimit) {
  auto j = job("flaky");
  j.mutable_spec()->set_backoff_limit(1);
  api_->create(j);
  ASSERT_TRUE(pod_count("flaky", 1));
  finish(pods_of("flaky")[0], 1);
  // The failure is counted in the same sync that would replace the pod: the back-off holds it.
  ASSERT_TRUE(test::wait_until([&] { return get_job("flaky").status().failed() == 1; }, 20s));
  EXPECT_TRUE(pods_of("flaky").empty());
  ASSERT_TRUE(pod_count("flaky", 1));  // 10 s later
  finish(pods_of("flaky")[0], 1);
  ASSERT_TRUE(condition("flaky", "Failed", "BackoffLimitExceeded"));
  EXPECT_EQ(get_job("flaky").status().failed(), 2);
}

TEST_F(BatchControllers, ThePodFailurePolicyFailsOrIgnores) {
  auto j = job("policy");
  j.mutable_spec()->set_backoff_limit(0);
  auto* ignore = j.mutable_spec()->mutable_pod_failure_policy()->add_rules();
  ignore->set_action("Ignore");
  ignore->add_on_pod_conditions()->set_type("DisruptionTarget");
  auto* fail = j.mutable_spec()->mutable_pod_failure_policy()->add_rules();
  fail->set_action("FailJob");
  fail->mutable_on_exit_codes()->set_operator_("In");
  fail->mutable_on_exit_codes()->add_values(42);
  api_->create(j);
  ASSERT_TRUE(pod_count("policy", 1));
  auto first = pods_of("policy")[0];
  finish(first, 137, "DisruptionTarget");  // evicted: not counted, replaced at once
  ASSERT_TRUE(test::wait_until([&] {
    auto pods = pods_of("policy");
    return pods.size() == 1 && pods[0].metadata().name() != first.metadata().name();
  }, 20s));
  EXPECT_EQ(get_job("policy").status().failed(), 0);
  finish(pods_of("policy")[0], 42);
  ASSERT_TRUE(condition("policy", "Failed", "PodFailurePolicy"));
  auto failed = get_job("policy");
  for (const auto& c : failed.status().conditions())
    if (c.type() == "Failed") {
      EXPECT_NE(c.message().find("failed with exit code 42 matching FailJob rule at index 1"), std::string::npos);
    }
}

TEST_F(BatchControllers, TheActiveDeadlineFailsTheJobAndStopsItsPods) {
  auto j = job("slow");
  j.mutable_spec()->set_active_deadline_seconds(1);
  api_->create(j);
  ASSERT_TRUE(condition("slow", "Failed", "DeadlineExceeded"));
  ASSERT_TRUE(pod_count("slow", 0));
}

TEST_F(BatchControllers, SuspendStopsThePodsAndResumeStartsThemAgain) {
  auto j = job("nap");
  j.mutable_spec()->set_parallelism(2);
  j.mutable_spec()->set_completions(2);
  j.mutable_spec()->set_suspend(true);
  api_->create(j);
  ASSERT_TRUE(condition("nap", "Suspended", "JobSuspended"));
  EXPECT_TRUE(pods_of("nap").empty());
  auto resume = [&](bool suspend) {
    for (int attempt = 0;; ++attempt) {
      auto current = get_job("nap");
      current.mutable_spec()->set_suspend(suspend);
      try {
        api_->update(current);
        return;
      } catch (const sdk::Error& e) {
        if (e.status().code != 409 || attempt > 20) throw;
      }
    }
  };
  resume(false);
  ASSERT_TRUE(pod_count("nap", 2));
  ASSERT_TRUE(test::wait_until([&] {
    auto nap = get_job("nap");
    for (const auto& c : nap.status().conditions())
      if (c.type() == "Suspended") return c.status() == "False" && c.reason() == "JobResumed";
    return false;
  }, 20s));
  resume(true);
  ASSERT_TRUE(pod_count("nap", 0));
  ASSERT_TRUE(condition("nap", "Suspended"));
}

TEST_F(BatchControllers, AFinishedJobPastItsTtlIsDeletedWithItsPods) {
  auto j = job("brief");
  j.mutable_spec()->set_ttl_seconds_after_finished(0);
  api_->create(j);
  ASSERT_TRUE(pod_count("brief", 1));
  finish(pods_of("brief")[0], 0);
  ASSERT_TRUE(test::wait_until([&] {
    try {
      get_job("brief");
      return false;
    } catch (const sdk::Error& e) {
      return e.status().code == 404;
    }
  }, 20s));
  ASSERT_TRUE(test::wait_until([&] { return pods_of("brief", false).empty(); }, 20s));
}

TEST_F(BatchControllers, ACronJobStartsJobsOnItsClockAndTrimsHistory) {
  set_clock(std::chrono::system_clock::now());
  batch::CronJob cj;
  cj.mutable_metadata()->set_name("tick");
  cj.mutable_metadata()->set_namespace_("default");
  cj.mutable_spec()->set_schedule("* * * * *");
  cj.mutable_spec()->set_successful_jobs_history_limit(1);
  *cj.mutable_spec()->mutable_job_template()->mutable_spec() = job("unused").spec();
  auto made = api_->create(cj);
  auto created = *sdk::parse_rfc3339(made.metadata().creation_timestamp());
  std::vector<std::string> names;
  for (int minute = 1; minute <= 3; ++minute) {
    set_clock(created + std::chrono::minutes(minute) + 1s);
    ASSERT_TRUE(test::wait_until([&] { return api_->get<batch::CronJob>("default", "tick").status().active_size() == 1; }, 20s))
        << "minute " << minute;
    auto status = api_->get<batch::CronJob>("default", "tick").status();
    std::string name = status.active(0).name();
    names.push_back(name);
    auto scheduled = std::chrono::floor<std::chrono::minutes>(created + std::chrono::minutes(minute) + 1s);
    EXPECT_EQ(name, "tick-" + std::to_string(scheduled.time_since_epoch().count()));
    EXPECT_EQ(status.last_schedule_time(), sdk::format_rfc3339(scheduled));
    auto started = get_job(name);
    EXPECT_EQ(started.metadata().annotations().at("batch.kubernetes.io/cronjob-scheduled-timestamp"),
              sdk::format_rfc3339(scheduled));
    ASSERT_TRUE(pod_count(name, 1));
    finish(pods_of(name)[0], 0);
    ASSERT_TRUE(condition(name, "Complete"));
    ASSERT_TRUE(test::wait_until([&] {
      auto s = api_->get<batch::CronJob>("default", "tick").status();
      return s.active_size() == 0 && !s.last_successful_time().empty();
    }, 20s));
  }
  // One successful Job is kept: the newest.
  ASSERT_TRUE(test::wait_until([&] {
    auto jobs = api_->list<batch::Job>("default");
    std::size_t alive = std::count_if(jobs.begin(), jobs.end(), [](const auto& j) {
      return j.metadata().name().rfind("tick-", 0) == 0 && j.metadata().deletion_timestamp().empty();
    });
    return alive == 1;
  }, 20s));
  EXPECT_EQ(get_job(names.back()).metadata().name(), names.back());
}

TEST_F(BatchControllers, ForbidSkipsAStartWhileOneRuns) {
  set_clock(std::chrono::system_clock::now());
  batch::CronJob cj;
  cj.mutable_metadata()->set_name("solo");
  cj.mutable_metadata()->set_namespace_("default");
  cj.mutable_spec()->set_schedule("* * * * *");
  cj.mutable_spec()->set_concurrency_policy("Forbid");
  *cj.mutable_spec()->mutable_job_template()->mutable_spec() = job("unused").spec();
  auto created = *sdk::parse_rfc3339(api_->create(cj).metadata().creation_timestamp());
  set_clock(created + 61s);
  ASSERT_TRUE(test::wait_until([&] { return api_->get<batch::CronJob>("default", "solo").status().active_size() == 1; }, 20s));
  std::string first = api_->get<batch::CronJob>("default", "solo").status().active(0).name();
  set_clock(created + 121s);
  // The controller says why it skipped the start, and no second Job appears.
  ASSERT_TRUE(test::wait_until([&] {
    for (const auto& e : api_->list<core::Event>("default"))
      if (e.reason() == "JobAlreadyActive" && e.involved_object().name() == "solo") return true;
    return false;
  }, 20s));
  auto jobs = api_->list<batch::Job>("default");
  EXPECT_EQ(std::count_if(jobs.begin(), jobs.end(), [](const auto& j) { return j.metadata().name().rfind("solo-", 0) == 0; }), 1);
}

TEST_F(BatchControllers, TooManyMissedStartsRunOnlyTheLatest) {
  set_clock(std::chrono::system_clock::now());
  batch::CronJob cj;
  cj.mutable_metadata()->set_name("late");
  cj.mutable_metadata()->set_namespace_("default");
  cj.mutable_spec()->set_schedule("* * * * *");
  *cj.mutable_spec()->mutable_job_template()->mutable_spec() = job("unused").spec();
  auto created = *sdk::parse_rfc3339(api_->create(cj).metadata().creation_timestamp());
  set_clock(created + std::chrono::minutes(200) + 1s);
  ASSERT_TRUE(test::wait_until([&] {
    for (const auto& e : api_->list<core::Event>("default"))
      if (e.reason() == "TooManyMissedTimes" && e.involved_object().name() == "late") return true;
    return false;
  }, 20s));
  ASSERT_TRUE(test::wait_until([&] { return api_->get<batch::CronJob>("default", "late").status().active_size() == 1; }, 20s));
  auto latest = std::chrono::floor<std::chrono::minutes>(created + std::chrono::minutes(200) + 1s);
  EXPECT_EQ(api_->get<batch::CronJob>("default", "late").status().active(0).name(),
            "late-" + std::to_string(latest.time_since_epoch().count()));
}

}  // namespace
