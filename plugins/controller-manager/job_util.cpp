// Pure Job computations (see job_util.hpp).
#include "job_util.hpp"

#include <algorithm>
#include <cctype>

#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace core = api::core::v1;
namespace batch = api::batch::v1;

std::chrono::seconds job_failure_backoff(int consecutive_failures) {
  if (consecutive_failures <= 0) return std::chrono::seconds(0);
  std::chrono::seconds delay = kJobBackoffBase;
  for (int i = 1; i < consecutive_failures && delay < kJobBackoffMax; ++i) delay *= 2;
  return std::min(delay, kJobBackoffMax);
}

FailureStreak failure_streak(std::vector<PodOutcome> outcomes) {
  std::sort(outcomes.begin(), outcomes.end(), [](const auto& a, const auto& b) { return a.finished < b.finished; });
  FailureStreak streak;
  for (const auto& o : outcomes) {
    if (o.succeeded) {
      streak = {};
      continue;
    }
    ++streak.count;
    streak.last = o.finished;
  }
  return streak;
}

std::optional<std::chrono::system_clock::time_point> pod_finish_time(const core::Pod& pod) {
  std::optional<std::chrono::system_clock::time_point> latest;
  for (const auto* statuses : {&pod.status().init_container_statuses(), &pod.status().container_statuses()})
    for (const auto& s : *statuses) {
      if (!s.state().has_terminated()) continue;
      auto at = sdk::parse_rfc3339(s.state().terminated().finished_at());
      if (at && (!latest || *at > *latest)) latest = at;
    }
  if (latest) return latest;
  for (const auto& c : pod.status().conditions())
    if (c.type() == "Ready") return sdk::parse_rfc3339(c.last_transition_time());
  return sdk::parse_rfc3339(pod.metadata().creation_timestamp());
}

std::string compress_indexes(const std::set<int>& indexes) {
  std::string out;
  for (auto it = indexes.begin(); it != indexes.end();) {
    int first = *it, last = *it;
    for (++it; it != indexes.end() && *it == last + 1; ++it) last = *it;
    if (!out.empty()) out += ",";
    out += std::to_string(first);
    if (last > first) out += "-" + std::to_string(last);
  }
  return out;
}

namespace {

std::optional<int> parse_number(const std::string& text) {
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  return std::stoi(text);
}

}  // namespace

std::set<int> parse_indexes(const std::string& text, int completions) {
  std::set<int> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t comma = text.find(',', at);
    std::string part = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    at = comma == std::string::npos ? text.size() : comma + 1;
    std::size_t dash = part.find('-');
    auto first = parse_number(part.substr(0, dash));
    auto last = dash == std::string::npos ? first : parse_number(part.substr(dash + 1));
    if (!first || !last) continue;
    for (int i = *first; i <= *last && i < completions; ++i) out.insert(i);
  }
  return out;
}

std::optional<int> completion_index_of(const core::Pod& pod) {
  auto it = pod.metadata().annotations().find(kJobCompletionIndexAnnotation);
  if (it == pod.metadata().annotations().end()) return std::nullopt;
  return parse_number(it->second);
}

namespace {

std::optional<FailurePolicyMatch> match_exit_codes(const batch::PodFailurePolicyOnExitCodesRequirement& req,
                                                   const core::Pod& pod, int rule_index) {
  for (const auto* statuses : {&pod.status().init_container_statuses(), &pod.status().container_statuses()})
    for (const auto& s : *statuses) {
      if (!s.state().has_terminated() || s.state().terminated().exit_code() == 0) continue;
      if (!req.container_name().empty() && req.container_name() != s.name()) continue;
      int code = s.state().terminated().exit_code();
      bool listed = std::find(req.values().begin(), req.values().end(), code) != req.values().end();
      if (listed != (req.operator_() == "In")) continue;
      return FailurePolicyMatch{"", "Container " + s.name() + " for pod " + pod.metadata().namespace_() + "/" +
                                        pod.metadata().name() + " failed with exit code " + std::to_string(code) +
                                        " matching FailJob rule at index " + std::to_string(rule_index)};
    }
  return std::nullopt;
}

std::optional<FailurePolicyMatch> match_conditions(const batch::PodFailurePolicyRule& rule, const core::Pod& pod,
                                                   int rule_index) {
  for (const auto& pattern : rule.on_pod_conditions())
    for (const auto& c : pod.status().conditions())
      if (c.type() == pattern.type() && c.status() == (pattern.status().empty() ? "True" : pattern.status()))
        return FailurePolicyMatch{"", "Pod " + pod.metadata().namespace_() + "/" + pod.metadata().name() +
                                          " has condition " + c.type() + " matching FailJob rule at index " +
                                          std::to_string(rule_index)};
  return std::nullopt;
}

}  // namespace

std::optional<FailurePolicyMatch> match_failure_policy(const batch::PodFailurePolicy& policy, const core::Pod& pod) {
  for (int i = 0; i < policy.rules_size(); ++i) {
    const auto& rule = policy.rules(i);
    auto match = rule.has_on_exit_codes() ? match_exit_codes(rule.on_exit_codes(), pod, i) : match_conditions(rule, pod, i);
    if (!match) continue;
    match->action = rule.action();
    return match;
  }
  return std::nullopt;
}

int wanted_active(const batch::JobSpec& spec, int succeeded) {
  int parallelism = spec.has_parallelism() ? spec.parallelism() : 1;
  if (!spec.has_completions()) return succeeded > 0 ? 0 : parallelism;
  return std::max(0, std::min(parallelism, spec.completions() - succeeded));
}

bool has_job_condition(const batch::Job& job, const std::string& type) {
  for (const auto& c : job.status().conditions())
    if (c.type() == type && c.status() == "True") return true;
  return false;
}

void set_job_condition(batch::JobStatus& status, const std::string& type, const std::string& condition_status,
                       const std::string& reason, const std::string& message, const std::string& now) {
  batch::JobCondition* condition = nullptr;
  for (auto& c : *status.mutable_conditions())
    if (c.type() == type) condition = &c;
  if (!condition) {
    condition = status.add_conditions();
    condition->set_type(type);
  }
  if (condition->status() == condition_status && condition->reason() == reason && condition->message() == message) return;
  if (condition->status() != condition_status) condition->set_last_transition_time(now);
  condition->set_status(condition_status);
  condition->set_last_probe_time(now);
  condition->set_reason(reason);
  condition->set_message(message);
}

bool job_finished(const batch::Job& job) { return has_job_condition(job, "Complete") || has_job_condition(job, "Failed"); }

}  // namespace skiff::controllers
