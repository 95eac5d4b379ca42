// The Job controller: pods per Job, their failures and back-off, and the Job's status.
#include "job_controller.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <set>

#include "job_util.hpp"
#include "pod_state.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace {

using PodPtr = std::shared_ptr<const core::Pod>;
using Clock = std::chrono::system_clock;

constexpr int kBurst = 500;  // most pods created or deleted in one sync

bool terminal(const core::Pod& pod) { return pod.status().phase() == "Succeeded" || pod.status().phase() == "Failed"; }

void add_index_env(google::protobuf::RepeatedPtrField<core::Container>* containers, const std::string& value) {
  for (auto& c : *containers) {
    bool present = std::any_of(c.env().begin(), c.env().end(), [](const auto& e) { return e.name() == "JOB_COMPLETION_INDEX"; });
    if (present) continue;
    auto* env = c.add_env();
    env->set_name("JOB_COMPLETION_INDEX");
    env->set_value(value);
  }
}

}  // namespace

core::Pod pod_for_job(const batch::Job& job, std::optional<int> index) {
  core::Pod pod;
  auto* meta = pod.mutable_metadata();
  *meta = job.spec().template_().metadata();
  meta->clear_name();
  meta->set_namespace_(job.metadata().namespace_());
  meta->set_generate_name(job.metadata().name() + "-" + (index ? std::to_string(*index) + "-" : ""));
  *meta->add_owner_references() = controller_reference(job.metadata(), sdk::resource_type_of<batch::Job>());
  *pod.mutable_spec() = job.spec().template_().spec();
  if (index) {
    std::string value = std::to_string(*index);
    (*meta->mutable_annotations())[kJobCompletionIndexAnnotation] = value;
    (*meta->mutable_labels())[kJobCompletionIndexAnnotation] = value;
    if (pod.spec().hostname().empty()) pod.mutable_spec()->set_hostname(job.metadata().name() + "-" + value);
    add_index_env(pod.mutable_spec()->mutable_init_containers(), value);
    add_index_env(pod.mutable_spec()->mutable_containers(), value);
  }
  return pod;
}

// What the Job's pods add up to in one sync.
struct JobController::Tally {
  std::vector<PodPtr> active;  // neither finished nor being deleted
  int ready = 0;
  int terminating = 0;
  int succeeded = 0;      // NonIndexed: succeeded pods now present
  int failed = 0;         // failed pods the policy counts
  int restarts = 0;       // OnFailure: container restarts of active pods
  std::set<int> completed;  // Indexed: indexes with a succeeded pod (including earlier syncs')
  std::optional<std::string> fail_job;  // a FailJob rule matched: why
  std::vector<PodOutcome> outcomes;
};

void JobController::register_handlers() {
  auto& jobs = context_.informers.jobs();
  jobs.add_handlers([this](const auto& j) { enqueue(key_of(*j)); }, [this](const auto&, const auto& j) { enqueue(key_of(*j)); },
                    [this](const auto& j) {
                      expectations_.forget(key_of(*j));
                      enqueue(key_of(*j));
                    });
  context_.informers.pods().add_handlers([this](const auto& p) { on_pod(p, true); },
                                         [this](const auto&, const auto& p) { on_pod(p, false); },
                                         [this](const auto& p) { on_pod_deleted(p); });
}

std::vector<std::string> JobController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& job : context_.informers.jobs().list()) keys.push_back(key_of(*job));
  return keys;
}

void JobController::on_pod(const PodPtr& pod, bool added) {
  const auto* owner = controller_of(pod->metadata());
  if (!owner || owner->kind() != "Job") return;
  std::string key = pod->metadata().namespace_() + "/" + owner->name();
  if (added) expectations_.observed_add(key);
  enqueue(key);
}

void JobController::on_pod_deleted(const PodPtr& pod) {
  const auto* owner = controller_of(pod->metadata());
  if (!owner || owner->kind() != "Job") return;
  std::string key = pod->metadata().namespace_() + "/" + owner->name();
  expectations_.observed_delete(key);
  enqueue(key);
}

std::vector<PodPtr> JobController::owned_pods(const batch::Job& job) {
  std::vector<PodPtr> owned;
  for (const auto& pod : context_.informers.pods().by_index(kByOwner, job.metadata().uid())) {
    const auto* owner = controller_of(pod->metadata());
    if (owner && owner->uid() == job.metadata().uid()) owned.push_back(pod);
  }
  return owned;
}

JobController::Tally JobController::tally(const batch::Job& job, const std::vector<PodPtr>& pods) {
  Tally t;
  bool indexed = job.spec().completion_mode() == "Indexed";
  int completions = job.spec().has_completions() ? job.spec().completions() : 0;
  if (indexed) t.completed = parse_indexes(job.status().completed_indexes(), completions);
  for (const auto& pod : pods) {
    if (!terminal(*pod)) {
      if (!pod->metadata().deletion_timestamp().empty()) {
        ++t.terminating;
        continue;
      }
      t.active.push_back(pod);
      if (is_ready(*pod)) ++t.ready;
      for (const auto& s : pod->status().container_statuses()) t.restarts += s.restart_count();
      continue;
    }
    auto finished = pod_finish_time(*pod).value_or(Clock::now());
    if (pod->status().phase() == "Succeeded") {
      ++t.succeeded;
      t.outcomes.push_back({finished, true});
      auto index = completion_index_of(*pod);
      if (indexed && index && *index < completions) t.completed.insert(*index);
      continue;
    }
    auto match = match_failure_policy(job.spec().pod_failure_policy(), *pod);
    if (match && match->action == "Ignore") continue;  // a disruption, say: not the workload's fault
    if (match && match->action == "FailJob" && !t.fail_job) t.fail_job = match->message;
    ++t.failed;
    t.outcomes.push_back({finished, false});
  }
  return t;
}

std::vector<std::optional<int>> JobController::pods_to_start(const batch::Job& job, const Tally& t) {
  int parallelism = job.spec().has_parallelism() ? job.spec().parallelism() : 1;
  std::vector<std::optional<int>> start;
  if (job.spec().completion_mode() != "Indexed") {
    int succeeded = std::max(t.succeeded, job.status().succeeded());
    int missing = wanted_active(job.spec(), succeeded) - static_cast<int>(t.active.size());
    start.assign(std::max(0, std::min(missing, kBurst)), std::nullopt);
    return start;
  }
  std::set<int> running;
  for (const auto& pod : t.active)
    if (auto index = completion_index_of(*pod)) running.insert(*index);
  int room = std::min(parallelism - static_cast<int>(t.active.size()), kBurst);
  for (int i = 0; i < job.spec().completions() && static_cast<int>(start.size()) < room; ++i)
    if (!t.completed.count(i) && !running.count(i)) start.emplace_back(i);
  return start;
}

std::vector<PodPtr> JobController::surplus_pods(const batch::Job& job, const Tally& t) {
  std::vector<PodPtr> active = t.active;
  // Pods that are not ready yet go first, then the newest.
  std::stable_sort(active.begin(), active.end(), [](const PodPtr& a, const PodPtr& b) {
    if (is_ready(*a) != is_ready(*b)) return !is_ready(*a);
    return a->metadata().creation_timestamp() > b->metadata().creation_timestamp();
  });
  std::vector<PodPtr> surplus;
  if (job.spec().completion_mode() == "Indexed") {
    std::set<int> seen;
    std::vector<PodPtr> keep;
    for (auto it = active.rbegin(); it != active.rend(); ++it) {  // oldest first keeps its index
      auto index = completion_index_of(**it);
      if (!index || *index >= job.spec().completions() || t.completed.count(*index) || !seen.insert(*index).second)
        surplus.push_back(*it);
      else
        keep.push_back(*it);
    }
    int parallelism = job.spec().has_parallelism() ? job.spec().parallelism() : 1;
    for (int extra = static_cast<int>(keep.size()) - parallelism; extra > 0; --extra) surplus.push_back(keep[keep.size() - extra]);
    return surplus;
  }
  int succeeded = std::max(t.succeeded, job.status().succeeded());
  int extra = static_cast<int>(active.size()) - wanted_active(job.spec(), succeeded);
  for (int i = 0; i < extra && i < static_cast<int>(active.size()); ++i) surplus.push_back(active[i]);
  return surplus;
}

void JobController::create_pods(const batch::Job& job, const std::string& key, const std::vector<std::optional<int>>& indexes) {
  std::vector<core::Pod> pods;
  for (const auto& index : indexes) pods.push_back(pod_for_job(job, index));
  expectations_.expect(key, static_cast<int>(pods.size()), 0);
  std::vector<std::pair<sdk::Status, core::Pod>> results;
  try {
    results = context_.api.create_many(job.metadata().namespace_(), pods);
  } catch (const sdk::Error& e) {
    results.assign(pods.size(), {e.status(), core::Pod()});
  }
  std::string failure;
  for (const auto& [status, made] : results) {
    if (status.ok()) {
      events_.record(job, "Normal", "SuccessfulCreate", "Created pod: " + made.metadata().name());
      continue;
    }
    expectations_.add_failed(key);
    failure = status.message;
  }
  if (!failure.empty()) {
    events_.record(job, "Warning", "FailedCreate", "Error creating: " + failure);
    throw sdk::Error(sdk::Status::Unavailable("creating pods for job " + key + ": " + failure));
  }
}

int JobController::delete_pods(const batch::Job& job, const std::string& key, const std::vector<PodPtr>& pods) {
  if (pods.empty()) return 0;  // an expectation of nothing would forget pending ones
  int deleted = 0;
  expectations_.expect(key, 0, static_cast<int>(pods.size()));
  for (const auto& pod : pods) {
    try {
      sdk::ApiDeleteOptions options;
      options.precondition_uid = pod->metadata().uid();
      context_.api.erase<core::Pod>(pod->metadata().namespace_(), pod->metadata().name(), options);
      events_.record(job, "Normal", "SuccessfulDelete", "Deleted pod: " + pod->metadata().name());
      ++deleted;
    } catch (const sdk::Error& e) {
      expectations_.delete_failed(key);
      if (e.status().code != 404) events_.record(job, "Warning", "FailedDelete", "Error deleting: " + e.status().message);
    }
  }
  return deleted;
}

void JobController::write_status(const batch::Job& job, const batch::JobStatus& status) {
  if (google::protobuf::util::MessageDifferencer::Equals(status, job.status())) return;
  // On a conflict the sync fails and runs again on the newer object: this status was
  // computed from the older one, and writing it over the newer would lose what changed.
  batch::Job next = job;
  *next.mutable_status() = status;
  context_.api.update(next, "status");
}

bool JobController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto job = context_.informers.jobs().get(ns, name);
  if (!job) {
    expectations_.forget(key);
    return true;
  }
  if (job_finished(*job) || !job->metadata().deletion_timestamp().empty()) return true;
  const auto& spec = job->spec();
  const auto now = Clock::now();
  const std::string now_text = sdk::format_rfc3339(now);
  Tally t = tally(*job, owned_pods(*job));
  batch::JobStatus status = job->status();
  bool indexed = spec.completion_mode() == "Indexed";
  status.set_succeeded(indexed ? static_cast<int>(t.completed.size()) : std::max(job->status().succeeded(), t.succeeded));
  status.set_failed(std::max(job->status().failed(), t.failed));
  if (indexed) status.set_completed_indexes(compress_indexes(t.completed));

  // Suspension: no pods run; resuming starts the active deadline afresh.
  if (spec.suspend()) {
    if (!has_job_condition(*job, "Suspended")) events_.record(*job, "Normal", "Suspended", "Job suspended");
    set_job_condition(status, "Suspended", "True", "JobSuspended", "Job suspended", now_text);
    int stopped = delete_pods(*job, key, t.active);
    status.set_active(static_cast<int>(t.active.size()) - stopped);
    status.set_ready(0);
    status.set_terminating(t.terminating + stopped);
    write_status(*job, status);
    return true;
  }
  if (has_job_condition(*job, "Suspended")) {
    set_job_condition(status, "Suspended", "False", "JobResumed", "Job resumed", now_text);
    status.set_start_time(now_text);
    events_.record(*job, "Normal", "Resumed", "Job resumed");
  }
  if (status.start_time().empty()) status.set_start_time(now_text);
  auto started = sdk::parse_rfc3339(status.start_time()).value_or(now);

  // Finished?
  using Failure = std::pair<std::string, std::string>;  // reason, message
  std::optional<Failure> failure;
  int backoff_limit = spec.has_backoff_limit() ? spec.backoff_limit() : 6;
  bool on_failure = spec.template_().spec().restart_policy() == "OnFailure";
  if (t.fail_job) failure = Failure("PodFailurePolicy", *t.fail_job);
  else if (status.failed() > backoff_limit ||
           (on_failure && (backoff_limit == 0 ? t.restarts > 0 : t.restarts >= backoff_limit)))
    failure = Failure("BackoffLimitExceeded", "Job has reached the specified backoff limit");
  else if (spec.has_active_deadline_seconds() && now - started >= std::chrono::seconds(spec.active_deadline_seconds()))
    failure = Failure("DeadlineExceeded", "Job was active longer than specified deadline");
  bool complete = false;
  if (!failure) {
    if (indexed) complete = static_cast<int>(t.completed.size()) >= spec.completions();
    else if (spec.has_completions()) complete = status.succeeded() >= spec.completions();
    else complete = status.succeeded() > 0 && t.active.empty();
  }
  if (failure || complete) {
    int stopped = delete_pods(*job, key, t.active);
    status.set_active(static_cast<int>(t.active.size()) - stopped);
    status.set_ready(0);
    status.set_terminating(t.terminating + stopped);
    if (failure) {
      set_job_condition(status, "FailureTarget", "True", failure->first, failure->second, now_text);
      set_job_condition(status, "Failed", "True", failure->first, failure->second, now_text);
      events_.record(*job, "Warning", failure->first, failure->second);
    } else {
      set_job_condition(status, "SuccessCriteriaMet", "True", "CompletionsReached",
                        "Reached expected number of succeeded pods", now_text);
      set_job_condition(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods",
                        now_text);
      status.set_completion_time(now_text);
      events_.record(*job, "Normal", "Completed", "Job completed");
    }
    write_status(*job, status);
    return true;
  }

  // Keep the right pods running.
  std::string create_failure;
  int active = static_cast<int>(t.active.size());
  if (expectations_.satisfied(key)) {
    auto surplus = surplus_pods(*job, t);
    active -= delete_pods(*job, key, surplus);
    auto start = pods_to_start(*job, t);
    FailureStreak streak = failure_streak(t.outcomes);
    auto wait = streak.last ? *streak.last + job_failure_backoff(streak.count) - now : Clock::duration::zero();
    if (!start.empty() && wait > Clock::duration::zero()) {
      enqueue_after(key, std::chrono::duration_cast<std::chrono::milliseconds>(wait) + std::chrono::milliseconds(100));
    } else if (!start.empty()) {
      try {
        create_pods(*job, key, start);
        active += static_cast<int>(start.size());
      } catch (const sdk::Error& e) {
        create_failure = e.status().message;
      }
    }
  }
  if (spec.has_active_deadline_seconds()) {
    auto left = started + std::chrono::seconds(spec.active_deadline_seconds()) - now;
    enqueue_after(key, std::chrono::duration_cast<std::chrono::milliseconds>(left) + std::chrono::milliseconds(100));
  }
  status.set_active(active);
  status.set_ready(t.ready);
  status.set_terminating(t.terminating);
  write_status(*job, status);
  return create_failure.empty();
}

}  // namespace skiff::controllers
