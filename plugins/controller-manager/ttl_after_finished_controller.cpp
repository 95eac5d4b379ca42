// The TTL controller: one timer per finished Job, then a foreground delete guarded by the uid.
#include "ttl_after_finished_controller.hpp"

#include "job_util.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace batch = api::batch::v1;

std::optional<std::chrono::system_clock::time_point> job_expiry(const batch::Job& job) {
  if (!job.spec().has_ttl_seconds_after_finished() || !job_finished(job)) return std::nullopt;
  std::string finished = job.status().completion_time();
  for (const auto& c : job.status().conditions())
    if ((c.type() == "Complete" || c.type() == "Failed") && c.status() == "True" && finished.empty())
      finished = c.last_transition_time();
  auto at = sdk::parse_rfc3339(finished);
  if (!at) return std::nullopt;
  return *at + std::chrono::seconds(job.spec().ttl_seconds_after_finished());
}

void TtlAfterFinishedController::register_handlers() {
  context_.informers.jobs().add_handlers([this](const auto& j) { enqueue(key_of(*j)); },
                                         [this](const auto&, const auto& j) { enqueue(key_of(*j)); }, nullptr);
}

std::vector<std::string> TtlAfterFinishedController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& job : context_.informers.jobs().list()) keys.push_back(key_of(*job));
  return keys;
}

bool TtlAfterFinishedController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto job = context_.informers.jobs().get(ns, name);
  if (!job || !job->metadata().deletion_timestamp().empty()) return true;
  auto expiry = job_expiry(*job);
  if (!expiry) return true;
  auto left = *expiry - std::chrono::system_clock::now();
  if (left > std::chrono::system_clock::duration::zero()) {
    enqueue_after(key, std::chrono::duration_cast<std::chrono::milliseconds>(left) + std::chrono::milliseconds(100));
    return true;
  }
  sdk::ApiDeleteOptions options;
  options.propagation_policy = "Foreground";
  options.precondition_uid = job->metadata().uid();
  try {
    context_.api.erase<batch::Job>(ns, name, options);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404 && e.status().code != 409) throw;
  }
  return true;
}

}  // namespace skiff::controllers
