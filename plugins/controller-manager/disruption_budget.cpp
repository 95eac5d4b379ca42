// The disruption controller's arithmetic (pkg/controller/disruption), without informers.
#include "disruption_budget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "pod_state.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {
namespace {

namespace core = api::core::v1;
namespace policy = api::policy::v1;
using Clock = std::chrono::system_clock;

struct Expectation {
  int expected = 0;
  int desired_healthy = 0;
  std::string failure;
  int unmanaged = 0;
};

// The summed scale of the pods' controllers (each once); pods without one are unmanaged.
Expectation expected_scale(const std::string& ns, const std::vector<std::shared_ptr<const core::Pod>>& pods,
                           const ScaleLookup& scale) {
  Expectation e;
  std::map<std::string, int> by_controller;
  for (const auto& pod : pods) {
    const auto* controller = controller_of(pod->metadata());
    if (!controller) {
      ++e.unmanaged;
      continue;
    }
    auto found = scale(ns, *controller);
    if (!found) {
      e.failure = "found no controllers for pod \"" + pod->metadata().name() + "\"";
      return e;
    }
    by_controller[found->uid] = found->replicas;
  }
  for (const auto& [uid, replicas] : by_controller) e.expected += replicas;
  return e;
}

Expectation expectation(const policy::PodDisruptionBudget& pdb, const std::vector<std::shared_ptr<const core::Pod>>& pods,
                        const ScaleLookup& scale) {
  const auto& spec = pdb.spec();
  const std::string& ns = pdb.metadata().namespace_();
  if (spec.has_max_unavailable()) {
    Expectation e = expected_scale(ns, pods, scale);
    e.desired_healthy = std::max(0, e.expected - scaled_value(spec.max_unavailable(), e.expected));
    return e;
  }
  if (spec.has_min_available() && spec.min_available().type() == 0) {
    Expectation e;
    e.expected = static_cast<int>(pods.size());
    e.desired_healthy = spec.min_available().int_val();
    return e;
  }
  if (spec.has_min_available()) {
    Expectation e = expected_scale(ns, pods, scale);
    e.desired_healthy = scaled_value(spec.min_available(), e.expected);
    return e;
  }
  return {};
}

// Granted evictions the pods have not confirmed (by going) yet, expired ones dropped.
void keep_pending_disruptions(const policy::PodDisruptionBudget& pdb,
                              const std::vector<std::shared_ptr<const core::Pod>>& pods, Clock::time_point now,
                              BudgetVerdict& verdict) {
  std::map<std::string, const core::Pod*> by_name;
  for (const auto& pod : pods) by_name[pod->metadata().name()] = pod.get();
  for (const auto& [name, when] : pdb.status().disrupted_pods()) {
    auto pod = by_name.find(name);
    if (pod == by_name.end() || !pod->second->metadata().deletion_timestamp().empty()) continue;  // gone: confirmed
    auto granted = sdk::parse_rfc3339(when);
    if (!granted || *granted + kDisruptionTimeout <= now) continue;  // never happened: it counts again
    (*verdict.status.mutable_disrupted_pods())[name] = when;
    auto left = std::chrono::duration_cast<std::chrono::seconds>(*granted + kDisruptionTimeout - now) + std::chrono::seconds(1);
    if (!verdict.recheck_in || left < *verdict.recheck_in) verdict.recheck_in = left;
  }
}

void set_condition(const policy::PodDisruptionBudget& pdb, BudgetVerdict& verdict) {
  bool allowed = verdict.failure.empty() && verdict.status.disruptions_allowed() > 0;
  std::string status = allowed ? "True" : "False";
  std::string reason = !verdict.failure.empty() ? "SyncFailed" : allowed ? "SufficientPods" : "InsufficientPods";
  std::string since = sdk::now_rfc3339();
  for (const auto& c : pdb.status().conditions())
    if (c.type() == "DisruptionAllowed" && c.status() == status) since = c.last_transition_time();
  auto* c = verdict.status.add_conditions();
  c->set_type("DisruptionAllowed");
  c->set_status(status);
  c->set_reason(reason);
  c->set_message(verdict.failure);
  c->set_observed_generation(pdb.metadata().generation());
  c->set_last_transition_time(since);
}

}  // namespace

bool budget_selects(const policy::PodDisruptionBudget& pdb, const core::Pod& pod) {
  if (!pdb.spec().has_selector() || pod.metadata().namespace_() != pdb.metadata().namespace_()) return false;
  try {
    return sdk::LabelSelector::from_proto(pdb.spec().selector()).matches(pod.metadata().labels());
  } catch (const std::exception&) {
    return false;
  }
}

int scaled_value(const api::meta::v1::IntOrString& value, int total) {
  if (value.type() == 0) return value.int_val();
  int percent = std::atoi(value.str_val().c_str());
  return static_cast<int>(std::ceil(static_cast<double>(percent) * total / 100.0));
}

BudgetVerdict compute_budget(const policy::PodDisruptionBudget& pdb,
                             const std::vector<std::shared_ptr<const core::Pod>>& pods, const ScaleLookup& scale,
                             Clock::time_point now) {
  BudgetVerdict verdict;
  auto& status = verdict.status;
  status.set_observed_generation(pdb.metadata().generation());
  Expectation e = expectation(pdb, pods, scale);
  verdict.unmanaged_pods = e.unmanaged;
  verdict.failure = e.failure;
  keep_pending_disruptions(pdb, pods, now, verdict);
  int healthy = 0;
  for (const auto& pod : pods)
    if (pod->metadata().deletion_timestamp().empty() && !status.disrupted_pods().count(pod->metadata().name()) &&
        is_ready(*pod))
      ++healthy;
  if (verdict.failure.empty()) {
    status.set_current_healthy(healthy);
    status.set_desired_healthy(e.desired_healthy);
    status.set_expected_pods(e.expected);
    status.set_disruptions_allowed(e.expected > 0 ? std::max(0, healthy - e.desired_healthy) : 0);
  } else {  // fail safe: no disruption while the numbers are unknown
    status.set_current_healthy(healthy);
    status.set_desired_healthy(pdb.status().desired_healthy());
    status.set_expected_pods(pdb.status().expected_pods());
  }
  set_condition(pdb, verdict);
  return verdict;
}

}  // namespace skiff::controllers
