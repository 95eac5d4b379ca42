// The Job controller's arithmetic: back-off, failure streaks, completion indexes, the pod
// failure policy and how many pods a Job wants.
#include <gtest/gtest.h>

#include "job_controller.hpp"
#include "job_util.hpp"
#include "skiff/sdk/time.hpp"

namespace {

using namespace skiff;
using namespace skiff::controllers;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace batch = api::batch::v1;

TEST(JobBackoff, TenSecondsDoublingCappedAtSixMinutes) {
  EXPECT_EQ(job_failure_backoff(0), 0s);
  EXPECT_EQ(job_failure_backoff(1), 10s);
  EXPECT_EQ(job_failure_backoff(2), 20s);
  EXPECT_EQ(job_failure_backoff(3), 40s);
  EXPECT_EQ(job_failure_backoff(6), 320s);
  EXPECT_EQ(job_failure_backoff(7), 360s);
  EXPECT_EQ(job_failure_backoff(50), 360s);
}

TEST(JobBackoff, ASuccessEndsTheStreak) {
  auto t0 = std::chrono::system_clock::time_point(1000s);
  EXPECT_EQ(failure_streak({}).count, 0);
  auto streak = failure_streak({{t0 + 3s, false}, {t0, false}, {t0 + 1s, true}, {t0 + 2s, false}});
  EXPECT_EQ(streak.count, 2);
  EXPECT_EQ(*streak.last, t0 + 3s);
  EXPECT_EQ(failure_streak({{t0, false}, {t0 + 1s, true}}).count, 0);
}

TEST(JobIndexes, CompressAndParse) {
  EXPECT_EQ(compress_indexes({}), "");
  EXPECT_EQ(compress_indexes({0}), "0");
  EXPECT_EQ(compress_indexes({1, 3, 4, 5, 7}), "1,3-5,7");
  EXPECT_EQ(compress_indexes({0, 1}), "0-1");
  EXPECT_EQ(parse_indexes("1,3-5,7", 10), (std::set<int>{1, 3, 4, 5, 7}));
  EXPECT_EQ(parse_indexes("1,3-5,7", 5), (std::set<int>{1, 3, 4}));  // beyond completions: dropped
  EXPECT_EQ(parse_indexes("x,2", 5), (std::set<int>{2}));
}

core::Pod failed_pod(int exit_code, const std::string& container = "main") {
  core::Pod pod;
  pod.mutable_metadata()->set_name("p");
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_status()->set_phase("Failed");
  auto* s = pod.mutable_status()->add_container_statuses();
  s->set_name(container);
  s->mutable_state()->mutable_terminated()->set_exit_code(exit_code);
  return pod;
}

batch::PodFailurePolicy policy() {
  batch::PodFailurePolicy p;
  auto* ignore = p.add_rules();
  ignore->set_action("Ignore");
  auto* pattern = ignore->add_on_pod_conditions();
  pattern->set_type("DisruptionTarget");
  pattern->set_status("True");
  auto* fail = p.add_rules();
  fail->set_action("FailJob");
  fail->mutable_on_exit_codes()->set_operator_("In");
  fail->mutable_on_exit_codes()->add_values(42);
  auto* count = p.add_rules();
  count->set_action("Count");
  count->mutable_on_exit_codes()->set_operator_("NotIn");
  count->mutable_on_exit_codes()->add_values(42);
  return p;
}

TEST(PodFailurePolicy, FirstMatchingRuleWins) {
  auto fail = match_failure_policy(policy(), failed_pod(42));
  ASSERT_TRUE(fail);
  EXPECT_EQ(fail->action, "FailJob");
  EXPECT_EQ(fail->message, "Container main for pod default/p failed with exit code 42 matching FailJob rule at index 1");
  auto count = match_failure_policy(policy(), failed_pod(1));
  ASSERT_TRUE(count);
  EXPECT_EQ(count->action, "Count");
  auto disrupted = failed_pod(42);
  auto* c = disrupted.mutable_status()->add_conditions();
  c->set_type("DisruptionTarget");
  c->set_status("True");
  EXPECT_EQ(match_failure_policy(policy(), disrupted)->action, "Ignore");
  EXPECT_FALSE(match_failure_policy(batch::PodFailurePolicy(), failed_pod(42)));
}

TEST(PodFailurePolicy, ContainerNameNarrowsTheRule) {
  auto p = policy();
  p.mutable_rules(1)->mutable_on_exit_codes()->set_container_name("sidecar");
  EXPECT_FALSE(match_failure_policy(p, failed_pod(42)));  // and NotIn {42} does not match 42
  EXPECT_EQ(match_failure_policy(p, failed_pod(42, "sidecar"))->action, "FailJob");
}

TEST(JobWantedActive, ParallelismBoundedByMissingCompletions) {
  batch::JobSpec spec;
  spec.set_parallelism(3);
  spec.set_completions(5);
  EXPECT_EQ(wanted_active(spec, 0), 3);
  EXPECT_EQ(wanted_active(spec, 3), 2);
  EXPECT_EQ(wanted_active(spec, 5), 0);
  spec.clear_completions();  // a work queue: done once one pod succeeded
  EXPECT_EQ(wanted_active(spec, 0), 3);
  EXPECT_EQ(wanted_active(spec, 1), 0);
}

TEST(JobConditions, TransitionTimeMovesOnlyWithTheStatus) {
  batch::JobStatus status;
  set_job_condition(status, "Suspended", "True", "JobSuspended", "Job suspended", "t1");
  set_job_condition(status, "Suspended", "True", "JobSuspended", "Job suspended", "t2");
  ASSERT_EQ(status.conditions_size(), 1);
  EXPECT_EQ(status.conditions(0).last_transition_time(), "t1");
  set_job_condition(status, "Suspended", "False", "JobResumed", "Job resumed", "t3");
  EXPECT_EQ(status.conditions(0).last_transition_time(), "t3");
  EXPECT_EQ(status.conditions(0).reason(), "JobResumed");
}

TEST(JobPods, IndexedPodsCarryTheirIndex) {
  batch::Job job;
  job.mutable_metadata()->set_name("sum");
  job.mutable_metadata()->set_namespace_("default");
  job.mutable_metadata()->set_uid("u1");
  (*job.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["job-name"] = "sum";
  job.mutable_spec()->mutable_template_()->mutable_spec()->add_containers()->set_name("main");
  core::Pod pod = pod_for_job(job, 2);
  EXPECT_EQ(pod.metadata().generate_name(), "sum-2-");
  EXPECT_EQ(pod.metadata().annotations().at("batch.kubernetes.io/job-completion-index"), "2");
  EXPECT_EQ(pod.metadata().labels().at("batch.kubernetes.io/job-completion-index"), "2");
  EXPECT_EQ(pod.metadata().labels().at("job-name"), "sum");
  EXPECT_EQ(pod.spec().hostname(), "sum-2");
  ASSERT_EQ(pod.spec().containers(0).env_size(), 1);
  EXPECT_EQ(pod.spec().containers(0).env(0).name(), "JOB_COMPLETION_INDEX");
  EXPECT_EQ(pod.spec().containers(0).env(0).value(), "2");
  ASSERT_EQ(pod.metadata().owner_references_size(), 1);
  EXPECT_EQ(pod.metadata().owner_references(0).kind(), "Job");
  EXPECT_TRUE(pod.metadata().owner_references(0).controller());
  EXPECT_EQ(*completion_index_of(pod), 2);
  core::Pod plain = pod_for_job(job, std::nullopt);
  EXPECT_EQ(plain.metadata().generate_name(), "sum-");
  EXPECT_TRUE(plain.spec().hostname().empty());
  EXPECT_FALSE(completion_index_of(plain));
}

}  // namespace
