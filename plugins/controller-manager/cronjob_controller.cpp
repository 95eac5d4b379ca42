// The CronJob controller: Kubernetes' syncCronJob, one CronJob per key.
#include "cronjob_controller.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>

#include "cronjob_util.hpp"
#include "job_util.hpp"
#include "pod_state.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace batch = api::batch::v1;
using namespace std::chrono;

namespace {

sys_seconds system_now() { return floor<seconds>(system_clock::now()); }

std::optional<sys_seconds> parse_time(const std::string& text) {
  auto t = sdk::parse_rfc3339(text);
  if (!t) return std::nullopt;
  return floor<seconds>(*t);
}

std::string rfc3339(sys_seconds t) { return sdk::format_rfc3339(system_clock::time_point(t)); }

}  // namespace

CronJobController::CronJobController(ControllerContext& context, CronJobClock clock)
    : Controller(context, "cronjob-controller"), clock_(std::move(clock)) {
  if (!clock_.now) clock_.now = system_now;
}

sys_seconds CronJobController::now() const {
  if (clock_.config_map.empty()) return clock_.now();
  auto [ns, name] = split_key(clock_.config_map);
  auto object = context_.informers.of(*sdk::find_resource("configmaps")).get(ns, name);
  if (!object) return clock_.now();
  const auto& data = static_cast<const core::ConfigMap&>(*object).data();
  auto it = data.find("now");
  auto t = it == data.end() ? std::nullopt : parse_time(it->second);
  return t ? *t : clock_.now();
}

void CronJobController::register_handlers() {
  context_.informers.cron_jobs().add_handlers([this](const auto& c) { enqueue(key_of(*c)); },
                                              [this](const auto&, const auto& c) { enqueue(key_of(*c)); }, nullptr);
  context_.informers.jobs().add_handlers([this](const auto& j) { on_job(j); },
                                         [this](const auto&, const auto& j) { on_job(j); },
                                         [this](const auto& j) { on_job(j); });
  if (clock_.config_map.empty()) return;
  // The test clock moved: every CronJob looks again.
  sdk::EventHandlers handlers;
  auto on_clock = [this](const sdk::ObjectPtr& o) {
    if (key_of(*o) != clock_.config_map) return;
    for (const auto& key : initial_keys()) enqueue(key);
  };
  handlers.on_add = on_clock;
  handlers.on_update = [on_clock](const sdk::ObjectPtr&, const sdk::ObjectPtr& o) { on_clock(o); };
  context_.informers.of(*sdk::find_resource("configmaps")).add_handlers(std::move(handlers));
}

std::vector<std::string> CronJobController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& c : context_.informers.cron_jobs().list()) keys.push_back(key_of(*c));
  return keys;
}

void CronJobController::on_job(const JobPtr& job) {
  const auto* owner = controller_of(job->metadata());
  if (owner && owner->kind() == "CronJob") enqueue(job->metadata().namespace_() + "/" + owner->name());
}

std::vector<CronJobController::JobPtr> CronJobController::owned_jobs(const batch::CronJob& cron_job) {
  std::vector<JobPtr> owned;
  for (const auto& job : context_.informers.jobs().by_index(kByOwner, cron_job.metadata().uid())) {
    const auto* owner = controller_of(job->metadata());
    if (owner && owner->uid() == cron_job.metadata().uid()) owned.push_back(job);
  }
  return owned;
}

void CronJobController::reconcile_active(const batch::CronJob& cron_job, const std::vector<JobPtr>& jobs,
                                         batch::CronJobStatus& status) {
  status.clear_active();
  for (const auto& job : jobs) {
    if (has_job_condition(*job, "Complete")) {
      auto done = parse_time(job->status().completion_time());
      auto last = parse_time(status.last_successful_time());
      if (done && (!last || *done > *last)) status.set_last_successful_time(rfc3339(*done));
    }
    if (job_finished(*job) || !job->metadata().deletion_timestamp().empty()) continue;
    auto* ref = status.add_active();
    ref->set_kind("Job");
    ref->set_api_version("batch/v1");
    ref->set_namespace_(job->metadata().namespace_());
    ref->set_name(job->metadata().name());
    ref->set_uid(job->metadata().uid());
    ref->set_resource_version(job->metadata().resource_version());
  }
  std::sort(status.mutable_active()->begin(), status.mutable_active()->end(),
            [](const auto& a, const auto& b) { return a.name() < b.name(); });
  (void)cron_job;
}

void CronJobController::delete_job(const batch::CronJob& cron_job, const std::string& name) {
  sdk::ApiDeleteOptions options;
  options.propagation_policy = "Background";
  try {
    context_.api.erase<batch::Job>(cron_job.metadata().namespace_(), name, options);
    events_.record(cron_job, "Normal", "SuccessfulDelete", "Deleted job " + name);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) events_.record(cron_job, "Warning", "FailedDelete", "Deleted job: " + e.status().message);
  }
}

void CronJobController::trim_history(const batch::CronJob& cron_job, const std::vector<JobPtr>& jobs) {
  for (const char* kind : {"Complete", "Failed"}) {
    bool successful = std::string(kind) == "Complete";
    const auto& spec = cron_job.spec();
    if (successful ? !spec.has_successful_jobs_history_limit() : !spec.has_failed_jobs_history_limit()) continue;
    int limit = successful ? spec.successful_jobs_history_limit() : spec.failed_jobs_history_limit();
    std::vector<JobPtr> finished;
    for (const auto& job : jobs)
      if (has_job_condition(*job, kind) && job->metadata().deletion_timestamp().empty()) finished.push_back(job);
    if (static_cast<int>(finished.size()) <= limit) continue;
    // Oldest first, by start time, else creation.
    auto started = [](const JobPtr& j) {
      return j->status().start_time().empty() ? j->metadata().creation_timestamp() : j->status().start_time();
    };
    std::sort(finished.begin(), finished.end(), [&](const JobPtr& a, const JobPtr& b) {
      return started(a) != started(b) ? started(a) < started(b) : a->metadata().name() < b->metadata().name();
    });
    for (std::size_t i = 0; i + limit < finished.size(); ++i) delete_job(cron_job, finished[i]->metadata().name());
  }
}

std::optional<sys_seconds> CronJobController::start_due(const batch::CronJob& cron_job, const sdk::TimeZone& zone,
                                                        batch::CronJobStatus& status) {
  const auto& spec = cron_job.spec();
  sdk::CronSchedule schedule;
  try {
    schedule = sdk::parse_cron_schedule(spec.schedule());
  } catch (const std::invalid_argument& e) {
    events_.record(cron_job, "Warning", "UnparseableSchedule", std::string("unparseable schedule: ") + e.what());
    return std::nullopt;
  }
  const sys_seconds current = now();
  auto earliest = parse_time(status.last_schedule_time());
  if (!earliest) earliest = parse_time(cron_job.metadata().creation_timestamp());
  std::optional<std::int64_t> deadline;
  if (spec.has_starting_deadline_seconds()) deadline = spec.starting_deadline_seconds();
  ScheduleCheck check = check_schedule(schedule, zone, earliest.value_or(current), current, deadline);
  if (check.too_many_missed)
    events_.record(cron_job, "Warning", "TooManyMissedTimes",
                   "too many missed start times: " + std::to_string(check.missed) +
                       ". Set or decrease .spec.startingDeadlineSeconds or check clock skew");
  if (!check.due) return check.next;
  sys_seconds due = *check.due;
  if (deadline && due + seconds(*deadline) < current) {
    events_.record(cron_job, "Warning", "MissSchedule", "Missed scheduled time to start a job: " + rfc3339(due));
    return check.next;
  }
  std::string name = job_name_for(cron_job.metadata().name(), due);
  bool already = std::any_of(status.active().begin(), status.active().end(), [&](const auto& r) { return r.name() == name; }) ||
                 parse_time(status.last_schedule_time()) == due;
  if (already) {
    // Started by a sync whose status write was lost: record it now.
    auto last = parse_time(status.last_schedule_time());
    if (!last || *last < due) status.set_last_schedule_time(rfc3339(due));
    return check.next;
  }
  if (spec.concurrency_policy() == "Forbid" && !status.active().empty()) {
    events_.record(cron_job, "Normal", "JobAlreadyActive",
                   "Not starting job because prior execution is running and concurrency policy is Forbid");
    return check.next;
  }
  if (spec.concurrency_policy() == "Replace") {
    for (const auto& ref : status.active()) delete_job(cron_job, ref.name());
    status.clear_active();
  }
  try {
    batch::Job made = context_.api.create(job_for_schedule(cron_job, due, zone));
    events_.record(cron_job, "Normal", "SuccessfulCreate", "Created job " + made.metadata().name());
    auto* ref = status.add_active();
    ref->set_kind("Job");
    ref->set_api_version("batch/v1");
    ref->set_namespace_(made.metadata().namespace_());
    ref->set_name(made.metadata().name());
    ref->set_uid(made.metadata().uid());
    ref->set_resource_version(made.metadata().resource_version());
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) {
      events_.record(cron_job, "Warning", "FailedCreate", "Error creating job: " + e.status().message);
      throw;
    }
    // Made already (by an earlier sync whose status write was lost): it counts as this run.
  }
  status.set_last_schedule_time(rfc3339(due));
  return check.next;
}

void CronJobController::write_status(const batch::CronJob& cron_job, const batch::CronJobStatus& status) {
  if (google::protobuf::util::MessageDifferencer::Equals(status, cron_job.status())) return;
  // On a conflict the sync fails and runs again on the newer object: this status was
  // computed from the older one, and writing it over the newer would lose what changed.
  batch::CronJob next = cron_job;
  *next.mutable_status() = status;
  context_.api.update(next, "status");
}

bool CronJobController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto cron_job = context_.informers.cron_jobs().get(ns, name);
  if (!cron_job || !cron_job->metadata().deletion_timestamp().empty()) return true;
  auto jobs = owned_jobs(*cron_job);
  batch::CronJobStatus status = cron_job->status();
  reconcile_active(*cron_job, jobs, status);
  trim_history(*cron_job, jobs);
  const auto& spec = cron_job->spec();
  sdk::TimeZone zone;
  if (spec.has_time_zone()) {
    try {
      zone = sdk::TimeZone::load(spec.time_zone());
    } catch (const std::invalid_argument& e) {
      events_.record(*cron_job, "Warning", "UnknownTimeZone", "invalid timeZone: " + spec.time_zone() + ": " + e.what());
      write_status(*cron_job, status);
      return true;
    }
  }
  std::optional<sys_seconds> next;
  if (!spec.suspend()) next = start_due(*cron_job, zone, status);
  write_status(*cron_job, status);
  if (next) {
    auto wait = *next - now();
    enqueue_after(key, duration_cast<milliseconds>(std::max(wait, seconds(0))) + milliseconds(100));
  }
  return true;
}

}  // namespace skiff::controllers
