// Job and CronJob defaults; the labels are Kubernetes' (both the legacy and the batch.kubernetes.io names).
#include "batch_defaults.hpp"

#include "defaults.hpp"

namespace skiff::apiserver {
namespace {

namespace batch = api::batch::v1;

void default_job_spec(batch::JobSpec* spec) {
  if (!spec->has_completions() && !spec->has_parallelism()) {
    spec->set_completions(1);
    spec->set_parallelism(1);
  }
  if (!spec->has_parallelism()) spec->set_parallelism(1);
  if (!spec->has_backoff_limit()) spec->set_backoff_limit(6);
  if (spec->completion_mode().empty()) spec->set_completion_mode("NonIndexed");
  if (!spec->has_suspend()) spec->set_suspend(false);
  if (spec->pod_replacement_policy().empty())
    spec->set_pod_replacement_policy(spec->has_pod_failure_policy() ? "Failed" : "TerminatingOrFailed");
  if (!spec->has_manual_selector()) spec->set_manual_selector(false);
  for (auto& rule : *spec->mutable_pod_failure_policy()->mutable_rules())
    for (auto& pattern : *rule.mutable_on_pod_conditions())
      if (pattern.status().empty()) pattern.set_status("True");
  if (!spec->has_pod_failure_policy() || spec->pod_failure_policy().rules().empty()) spec->clear_pod_failure_policy();
  default_pod_spec(spec->mutable_template_()->mutable_spec());
}

// The Job strategy's generateSelector: the uid selects the Job's pods, whatever their other labels.
void generate_selector(batch::Job& job) {
  const std::string& uid = job.metadata().uid();
  const std::string& name = job.metadata().name();
  auto* labels = job.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels();
  for (const char* key : {"controller-uid", "batch.kubernetes.io/controller-uid"})
    if (!labels->count(key)) (*labels)[key] = uid;
  for (const char* key : {"job-name", "batch.kubernetes.io/job-name"})
    if (!labels->count(key)) (*labels)[key] = name;
  if (job.spec().has_selector()) return;  // validation says it must not be set
  (*job.mutable_spec()->mutable_selector()->mutable_match_labels())["batch.kubernetes.io/controller-uid"] = uid;
}

}  // namespace

void default_job(batch::Job& job) {
  default_job_spec(job.mutable_spec());
  if (!job.spec().manual_selector() && !job.metadata().uid().empty()) generate_selector(job);
}

void default_cron_job(batch::CronJob& cron_job) {
  auto* spec = cron_job.mutable_spec();
  if (spec->concurrency_policy().empty()) spec->set_concurrency_policy("Allow");
  if (!spec->has_suspend()) spec->set_suspend(false);
  if (!spec->has_successful_jobs_history_limit()) spec->set_successful_jobs_history_limit(3);
  if (!spec->has_failed_jobs_history_limit()) spec->set_failed_jobs_history_limit(1);
  default_pod_spec(spec->mutable_job_template()->mutable_spec()->mutable_template_()->mutable_spec());
}

}  // namespace skiff::apiserver
