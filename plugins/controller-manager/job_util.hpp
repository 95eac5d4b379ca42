// The Job controller's arithmetic, kept pure so unit tests can drive it: the failure back-off,
// completion indexes and their compressed form, the pod failure policy, and how many pods a
// Job wants running.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "skiff/api/batch/v1/batch.pb.h"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::controllers {

inline constexpr const char* kJobCompletionIndexAnnotation = "batch.kubernetes.io/job-completion-index";
inline constexpr std::chrono::seconds kJobBackoffBase{10};
inline constexpr std::chrono::seconds kJobBackoffMax{360};

// The delay before replacing a pod after `consecutive_failures` failures in a row: none for
// none, then 10 s doubling per failure, at most 6 minutes (Kubernetes' DefaultJobPodFailureBackOff).
std::chrono::seconds job_failure_backoff(int consecutive_failures);

// A terminal pod: when it finished and how.
struct PodOutcome {
  std::chrono::system_clock::time_point finished;
  bool succeeded = false;
};
// Failures since the last success, and when the newest of them happened.
struct FailureStreak {
  int count = 0;
  std::optional<std::chrono::system_clock::time_point> last;
};
FailureStreak failure_streak(std::vector<PodOutcome> outcomes);
// When a terminal pod finished: its containers' latest finishedAt, else its Ready condition's change.
std::optional<std::chrono::system_clock::time_point> pod_finish_time(const api::core::v1::Pod& pod);

// "1,3-5,7" ⇄ {1,3,4,5,7}; indexes outside [0, completions) are dropped when parsing.
std::string compress_indexes(const std::set<int>& indexes);
std::set<int> parse_indexes(const std::string& text, int completions);
// The pod's completion index annotation, when it is a valid number.
std::optional<int> completion_index_of(const api::core::v1::Pod& pod);

// The first pod failure policy rule a failed pod matches.
struct FailurePolicyMatch {
  std::string action;   // FailJob, FailIndex, Ignore or Count
  std::string message;  // for FailJob: why, as Kubernetes words it
};
std::optional<FailurePolicyMatch> match_failure_policy(const api::batch::v1::PodFailurePolicy& policy,
                                                       const api::core::v1::Pod& pod);

// How many pods a NonIndexed Job wants running: parallelism, but no more than the
// completions still missing; a work queue (no completions) wants none once one succeeded.
int wanted_active(const api::batch::v1::JobSpec& spec, int succeeded);

// Whether the Job has this condition with status True.
bool has_job_condition(const api::batch::v1::Job& job, const std::string& type);
// Sets (or adds) the condition; the transition time changes only when the status does.
void set_job_condition(api::batch::v1::JobStatus& status, const std::string& type, const std::string& condition_status,
                       const std::string& reason, const std::string& message, const std::string& now);
// Complete or Failed.
bool job_finished(const api::batch::v1::Job& job);

}  // namespace skiff::controllers
