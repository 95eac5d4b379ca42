// Job and CronJob validation; the JobSpec checks are shared by a CronJob's jobTemplate.
#include "batch_validation.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <stdexcept>

#include "go_values.hpp"
#include "pod_validation.hpp"
#include "skiff/sdk/cron_schedule.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time_zone.hpp"

namespace skiff::apiserver {
namespace {

namespace batch = api::batch::v1;
using Differencer = google::protobuf::util::MessageDifferencer;

void check_non_negative(FieldErrors& errors, const std::string& field, long long value) {
  if (value < 0) errors.invalid(field, std::to_string(value), "must be greater than or equal to 0");
}

std::string rule_path(const std::string& spec, int i) {
  return spec + ".podFailurePolicy.rules[" + std::to_string(i) + "]";
}

void check_failure_policy(FieldErrors& errors, const std::string& spec_path, const batch::JobSpec& spec) {
  if (!spec.has_pod_failure_policy()) return;
  if (spec.template_().spec().restart_policy() != "Never")
    errors.invalid(spec_path + ".podFailurePolicy", "null",
                   "only \"Never\" is supported for template.spec.restartPolicy when podFailurePolicy is specified");
  const auto& rules = spec.pod_failure_policy().rules();
  for (int i = 0; i < rules.size(); ++i) {
    const auto& rule = rules[i];
    std::string at = rule_path(spec_path, i);
    if (rule.action().empty()) errors.required(at + ".action");
    else if (rule.action() != "FailJob" && rule.action() != "FailIndex" && rule.action() != "Ignore" &&
             rule.action() != "Count")
      errors.unsupported(at + ".action", rule.action(), {"Count", "FailIndex", "FailJob", "Ignore"});
    if (rule.action() == "FailIndex" && spec.completion_mode() != "Indexed")
      errors.invalid(at + ".action", quoted(rule.action()), "requires the Indexed completion mode");
    bool exit_codes = rule.has_on_exit_codes(), conditions = !rule.on_pod_conditions().empty();
    if (exit_codes == conditions)
      errors.invalid(at, "null", "specifying one of OnExitCodes and OnPodConditions is required");
    if (exit_codes) {
      const auto& req = rule.on_exit_codes();
      if (req.operator_() != "In" && req.operator_() != "NotIn")
        errors.unsupported(at + ".onExitCodes.operator", req.operator_(), {"In", "NotIn"});
      if (req.values().empty()) errors.required(at + ".onExitCodes.values", "at least one value is required");
      for (int v = 0; v < req.values_size(); ++v)
        if (req.operator_() == "In" && req.values(v) == 0)
          errors.invalid(at + ".onExitCodes.values[" + std::to_string(v) + "]", "0", "must not be 0 for the In operator");
    }
    for (int p = 0; p < rule.on_pod_conditions_size(); ++p) {
      const auto& pattern = rule.on_pod_conditions(p);
      std::string pat = at + ".onPodConditions[" + std::to_string(p) + "]";
      if (pattern.type().empty()) errors.required(pat + ".type");
      if (pattern.status() != "True" && pattern.status() != "False" && pattern.status() != "Unknown")
        errors.unsupported(pat + ".status", pattern.status(), {"False", "True", "Unknown"});
    }
  }
}

// ValidateJobSpec; `in_template` for a CronJob's jobTemplate, where the selector is the Job's to generate.
void check_job_spec(FieldErrors& errors, const std::string& at, const batch::JobSpec& spec, bool in_template) {
  if (spec.has_parallelism()) check_non_negative(errors, at + ".parallelism", spec.parallelism());
  if (spec.has_completions()) check_non_negative(errors, at + ".completions", spec.completions());
  if (spec.has_active_deadline_seconds() && spec.active_deadline_seconds() <= 0)
    errors.invalid(at + ".activeDeadlineSeconds", std::to_string(spec.active_deadline_seconds()),
                   "must be greater than 0");
  if (spec.has_backoff_limit()) check_non_negative(errors, at + ".backoffLimit", spec.backoff_limit());
  if (spec.has_ttl_seconds_after_finished())
    check_non_negative(errors, at + ".ttlSecondsAfterFinished", spec.ttl_seconds_after_finished());
  const std::string& mode = spec.completion_mode();
  if (!mode.empty() && mode != "NonIndexed" && mode != "Indexed")
    errors.unsupported(at + ".completionMode", mode, {"NonIndexed", "Indexed"});
  if (mode == "Indexed" && !spec.has_completions())
    errors.required(at + ".completions", "when completion mode is Indexed");
  const auto& tmpl = spec.template_();
  if (spec.has_selector()) {
    check_labels(errors, at + ".selector.matchLabels", spec.selector().match_labels());
    try {
      auto selector = sdk::LabelSelector::from_proto(spec.selector());
      if (selector.empty()) errors.invalid(at + ".selector", go_label_selector(spec.selector()), "empty selector is invalid");
      else if (!selector.matches(tmpl.metadata().labels()))
        errors.invalid(at + ".template.metadata.labels", go_string_map(tmpl.metadata().labels()),
                       "`selector` does not match template `labels`");
    } catch (const sdk::Error&) {
      errors.invalid(at + ".selector", go_label_selector(spec.selector()), "invalid label selector");
    }
  } else if (!in_template) {
    errors.required(at + ".selector");
  }
  check_labels(errors, at + ".template.labels", tmpl.metadata().labels());
  check_annotations(errors, at + ".template.annotations", tmpl.metadata().annotations());
  check_pod_spec(errors, at + ".template.spec", tmpl.spec());
  const std::string& restart = tmpl.spec().restart_policy();
  if (restart.empty())
    errors.required(at + ".template.spec.restartPolicy", "valid values: \"OnFailure\", \"Never\"");
  else if (restart != "OnFailure" && restart != "Never")
    errors.unsupported(at + ".template.spec.restartPolicy", restart, {"OnFailure", "Never"});
  check_failure_policy(errors, at, spec);
}

// validateGeneratedSelector: without manualSelector the selector is the uid's, on the template too.
void check_generated_selector(FieldErrors& errors, const batch::Job& job) {
  if (job.spec().manual_selector() || !job.spec().has_selector()) return;
  const auto& uid = job.metadata().uid();
  const auto& selector = job.spec().selector();
  const auto& labels = selector.match_labels();
  bool generated = selector.match_expressions().empty() && labels.size() == 1 &&
                   ((labels.count("batch.kubernetes.io/controller-uid") && labels.at("batch.kubernetes.io/controller-uid") == uid) ||
                    (labels.count("controller-uid") && labels.at("controller-uid") == uid));
  if (!generated)
    errors.invalid("spec.selector", go_label_selector(selector),
                   "`selector` not auto-generated; set spec.manualSelector: true to choose your own");
}

void immutable(FieldErrors& errors, const std::string& field, const google::protobuf::Message& before,
               const google::protobuf::Message& after, const std::string& value) {
  if (!Differencer::Equals(before, after)) errors.invalid(field, value, "field is immutable");
}

}  // namespace

void check_job(FieldErrors& errors, const batch::Job& job, const batch::Job* old) {
  const auto& spec = job.spec();
  check_job_spec(errors, "spec", spec, false);
  check_generated_selector(errors, job);
  if (!old) return;
  const auto& before = old->spec();
  immutable(errors, "spec.selector", before.selector(), spec.selector(), go_label_selector(spec.selector()));
  immutable(errors, "spec.template", before.template_(), spec.template_(), "core.PodTemplateSpec{…}");
  immutable(errors, "spec.podFailurePolicy", before.pod_failure_policy(), spec.pod_failure_policy(), "null");
  if (before.completion_mode() != spec.completion_mode())
    errors.invalid("spec.completionMode", quoted(spec.completion_mode()), "field is immutable");
  if (before.has_completions() != spec.has_completions() || before.completions() != spec.completions())
    errors.invalid("spec.completions", std::to_string(spec.completions()), "field is immutable");
}

void check_cron_job(FieldErrors& errors, const batch::CronJob& cron_job, const batch::CronJob* old) {
  const auto& spec = cron_job.spec();
  // The Jobs it makes are named "<name>-<minutes>": 11 more characters, within 63.
  if (cron_job.metadata().name().size() > 52)
    errors.invalid("metadata.name", quoted(cron_job.metadata().name()), "must be no more than 52 characters");
  if (spec.schedule().empty()) {
    errors.required("spec.schedule");
  } else {
    try {
      sdk::parse_cron_schedule(spec.schedule());
    } catch (const std::invalid_argument& e) {
      errors.invalid("spec.schedule", quoted(spec.schedule()), e.what());
    }
  }
  if (spec.has_time_zone()) {
    try {
      sdk::TimeZone::load(spec.time_zone());
    } catch (const std::invalid_argument& e) {
      errors.invalid("spec.timeZone", quoted(spec.time_zone()), e.what());
    }
  }
  const std::string& policy = spec.concurrency_policy();
  if (policy.empty()) errors.required("spec.concurrencyPolicy");
  else if (policy != "Allow" && policy != "Forbid" && policy != "Replace")
    errors.unsupported("spec.concurrencyPolicy", policy, {"Allow", "Forbid", "Replace"});
  if (spec.has_starting_deadline_seconds())
    check_non_negative(errors, "spec.startingDeadlineSeconds", spec.starting_deadline_seconds());
  if (spec.has_successful_jobs_history_limit())
    check_non_negative(errors, "spec.successfulJobsHistoryLimit", spec.successful_jobs_history_limit());
  if (spec.has_failed_jobs_history_limit())
    check_non_negative(errors, "spec.failedJobsHistoryLimit", spec.failed_jobs_history_limit());
  check_labels(errors, "spec.jobTemplate.metadata.labels", spec.job_template().metadata().labels());
  check_job_spec(errors, "spec.jobTemplate.spec", spec.job_template().spec(), true);
  (void)old;
}

}  // namespace skiff::apiserver
