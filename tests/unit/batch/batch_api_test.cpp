// Jobs and CronJobs in the API server: defaults (the generated selector and labels), validation
// in Kubernetes' words, and the tables kubectl prints.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "batch_tables.hpp"
#include "defaults.hpp"
#include "skiff/api/batch/v1/batch.pb.h"
#include "skiff/sdk/time.hpp"
#include "tables.hpp"
#include "validation_causes.hpp"

namespace {

using namespace skiff;
using namespace skiff::validation_testing;
using namespace std::chrono_literals;
namespace batch = api::batch::v1;
namespace json = boost::json;

batch::Job job() {
  batch::Job j;
  name(j, "pi");
  j.mutable_metadata()->set_uid("0b7d-uid");
  auto* spec = j.mutable_spec()->mutable_template_()->mutable_spec();
  auto* c = spec->add_containers();
  c->set_name("pi");
  c->set_image("busybox:1.36");
  spec->set_restart_policy("Never");
  return j;
}

batch::Job defaulted(batch::Job j) {
  apiserver::apply_defaults(j);
  return j;
}

batch::CronJob cron_job(const std::string& schedule) {
  batch::CronJob cj;
  name(cj, "backup");
  cj.mutable_spec()->set_schedule(schedule);
  *cj.mutable_spec()->mutable_job_template()->mutable_spec() = job().spec();
  apiserver::apply_defaults(cj);
  return cj;
}

TEST(JobDefaults, CountsPoliciesAndTheGeneratedSelector) {
  auto j = defaulted(job());
  EXPECT_EQ(j.spec().completions(), 1);
  EXPECT_EQ(j.spec().parallelism(), 1);
  EXPECT_EQ(j.spec().backoff_limit(), 6);
  EXPECT_EQ(j.spec().completion_mode(), "NonIndexed");
  EXPECT_FALSE(j.spec().suspend());
  EXPECT_TRUE(j.spec().has_manual_selector());
  EXPECT_EQ(j.spec().pod_replacement_policy(), "TerminatingOrFailed");
  EXPECT_EQ(j.spec().selector().match_labels().at("batch.kubernetes.io/controller-uid"), "0b7d-uid");
  const auto& labels = j.spec().template_().metadata().labels();
  EXPECT_EQ(labels.at("controller-uid"), "0b7d-uid");
  EXPECT_EQ(labels.at("batch.kubernetes.io/controller-uid"), "0b7d-uid");
  EXPECT_EQ(labels.at("job-name"), "pi");
  EXPECT_EQ(labels.at("batch.kubernetes.io/job-name"), "pi");
  EXPECT_TRUE(causes(j).empty()) << ::testing::PrintToString(causes(j));
}

TEST(JobDefaults, AWorkQueueKeepsCompletionsUnset) {
  auto queue = job();
  queue.mutable_spec()->set_parallelism(4);
  auto j = defaulted(queue);
  EXPECT_FALSE(j.spec().has_completions());
  EXPECT_EQ(j.spec().parallelism(), 4);
}

TEST(JobValidation, RestartPolicyMustBeNeverOrOnFailure) {
  auto j = job();
  j.mutable_spec()->mutable_template_()->mutable_spec()->clear_restart_policy();  // defaults to Always
  EXPECT_CAUSE(defaulted(j), "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: "
                             "\"OnFailure\", \"Never\"");
}

TEST(JobValidation, ASelectorOfOnesOwnNeedsManualSelector) {
  auto j = job();
  (*j.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "pi";
  (*j.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] = "pi";
  EXPECT_CAUSE(defaulted(j), "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"pi\"}, "
                             "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated; set "
                             "spec.manualSelector: true to choose your own");
  j.mutable_spec()->set_manual_selector(true);
  EXPECT_TRUE(causes(defaulted(j)).empty()) << ::testing::PrintToString(causes(defaulted(j)));
}

TEST(JobValidation, IndexedNeedsCompletionsAndModesAreKnown) {
  auto j = job();
  j.mutable_spec()->set_completion_mode("Indexed");
  j.mutable_spec()->set_parallelism(2);
  EXPECT_CAUSE(defaulted(j), "spec.completions: Required value: when completion mode is Indexed");
  j.mutable_spec()->set_completion_mode("Sometimes");
  EXPECT_CAUSE(defaulted(j), "spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", "
                             "\"Indexed\"");
}

TEST(JobValidation, PodFailurePolicyRules) {
  auto j = job();
  auto* rule = j.mutable_spec()->mutable_pod_failure_policy()->add_rules();
  rule->set_action("Explode");
  rule->mutable_on_exit_codes()->set_operator_("In");
  rule->mutable_on_exit_codes()->add_values(0);
  auto d = defaulted(j);
  EXPECT_CAUSE(d, "spec.podFailurePolicy.rules[0].action: Unsupported value: \"Explode\": supported values: \"Count\", "
                  "\"FailIndex\", \"FailJob\", \"Ignore\"");
  EXPECT_CAUSE(d, "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator");
}

TEST(JobValidation, TheTemplateAndSelectorAreImmutable) {
  auto before = defaulted(job());
  before.mutable_metadata()->set_resource_version("5");
  auto after = before;
  after.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("busybox:1.37");
  EXPECT_CAUSE(after, "spec.template: Invalid value: core.PodTemplateSpec{…}: field is immutable", &before);
  auto suspended = before;
  suspended.mutable_spec()->set_suspend(true);  // suspending is allowed
  EXPECT_TRUE(causes(suspended, &before).empty()) << ::testing::PrintToString(causes(suspended, &before));
}

TEST(CronJobDefaults, PolicyAndHistoryLimits) {
  auto cj = cron_job("*/5 * * * *");
  EXPECT_EQ(cj.spec().concurrency_policy(), "Allow");
  EXPECT_FALSE(cj.spec().suspend());
  EXPECT_EQ(cj.spec().successful_jobs_history_limit(), 3);
  EXPECT_EQ(cj.spec().failed_jobs_history_limit(), 1);
  EXPECT_TRUE(causes(cj).empty()) << ::testing::PrintToString(causes(cj));
}

TEST(CronJobValidation, TheScheduleIsNamedWhenBad) {
  EXPECT_CAUSE(cron_job("* * * *"), "spec.schedule: Invalid value: \"* * * *\": expected exactly 5 fields, found 4: * * * *");
  EXPECT_CAUSE(cron_job("@every 5m"), "spec.schedule: Invalid value: \"@every 5m\": @every is not supported by Kubernetes "
                                      "CronJobs; write a cron expression such as '*/5 * * * *'");
  EXPECT_CAUSE(cron_job(""), "spec.schedule: Required value");
  EXPECT_TRUE(causes(cron_job("@hourly")).empty());
}

TEST(CronJobValidation, TimeZonePolicyAndName) {
  auto cj = cron_job("0 3 * * *");
  cj.mutable_spec()->set_time_zone("Mars/Olympus_Mons");
  cj.mutable_spec()->set_concurrency_policy("Sometimes");
  EXPECT_CAUSE(cj, "spec.timeZone: Invalid value: \"Mars/Olympus_Mons\": unknown time zone Mars/Olympus_Mons");
  EXPECT_CAUSE(cj, "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", "
                   "\"Replace\"");
  cj.mutable_spec()->set_time_zone("Europe/Berlin");
  cj.mutable_spec()->set_concurrency_policy("Forbid");
  EXPECT_TRUE(causes(cj).empty()) << ::testing::PrintToString(causes(cj));
  name(cj, std::string(53, 'a'));
  EXPECT_CAUSE(cj, "metadata.name: Invalid value: \"" + std::string(53, 'a') + "\": must be no more than 52 characters");
}

std::vector<std::string> cells(const google::protobuf::Message& object, const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& cell : apiserver::batch_row(kind, object))
    out.push_back(cell.is_string() ? std::string(cell.as_string()) : json::serialize(cell));
  return out;
}

TEST(BatchTables, JobColumnsAsKubectlPrintsThem) {
  auto j = defaulted(job());
  j.mutable_metadata()->set_creation_timestamp(sdk::format_rfc3339(sdk::WallClock::now() - 20min));
  j.mutable_status()->set_start_time(sdk::format_rfc3339(sdk::WallClock::now() - 20min));
  j.mutable_status()->set_completion_time(sdk::format_rfc3339(sdk::WallClock::now() - 20min + 42s));
  j.mutable_status()->set_succeeded(1);
  auto* c = j.mutable_status()->add_conditions();
  c->set_type("Complete");
  c->set_status("True");
  EXPECT_EQ(cells(j, "Job"), (std::vector<std::string>{"pi", "Complete", "1/1", "42s", "20m", "pi", "busybox:1.36",
                                                        "batch.kubernetes.io/controller-uid=0b7d-uid"}));
  const auto* columns = apiserver::batch_columns("Job");
  ASSERT_TRUE(columns);
  std::vector<std::string> names;
  for (const auto& col : *columns) names.push_back(col.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Status", "Completions", "Duration", "Age", "Containers", "Images",
                                             "Selector"}));
}

TEST(BatchTables, JobStatusAndCompletionsTexts) {
  auto j = defaulted(job());
  EXPECT_EQ(apiserver::job_status_text(j), "Running");
  j.mutable_spec()->set_suspend(true);
  auto* c = j.mutable_status()->add_conditions();
  c->set_type("Suspended");
  c->set_status("True");
  EXPECT_EQ(apiserver::job_status_text(j), "Suspended");
  c->set_type("Failed");
  EXPECT_EQ(apiserver::job_status_text(j), "Failed");
  auto queue = job();
  queue.mutable_spec()->set_parallelism(4);
  EXPECT_EQ(apiserver::job_completions_text(defaulted(queue)), "0/1 of 4");
  queue.mutable_spec()->set_completions(3);
  EXPECT_EQ(apiserver::job_completions_text(defaulted(queue)), "0/3");
}

TEST(BatchTables, CronJobColumnsAsKubectlPrintsThem) {
  auto cj = cron_job("*/5 * * * *");
  cj.mutable_metadata()->set_creation_timestamp(sdk::format_rfc3339(sdk::WallClock::now() - 30min));
  EXPECT_EQ(cells(cj, "CronJob"), (std::vector<std::string>{"backup", "*/5 * * * *", "<none>", "False", "0", "<none>",
                                                            "30m", "pi", "busybox:1.36", "<none>"}));
  cj.mutable_spec()->set_time_zone("Europe/Berlin");
  cj.mutable_status()->set_last_schedule_time(sdk::format_rfc3339(sdk::WallClock::now() - 10min));
  cj.mutable_status()->add_active()->set_name("backup-1");
  auto row = cells(cj, "CronJob");
  EXPECT_EQ(row[2], "Europe/Berlin");
  EXPECT_EQ(row[4], "1");
  EXPECT_EQ(row[5], "10m");
}

}  // namespace
