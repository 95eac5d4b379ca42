// The HPA replica calculation with Kubernetes' conservative treatment of missing and unready pods.
#include "hpa_replicas.hpp"

#include <cmath>
#include <map>

#include "skiff/sdk/time.hpp"

namespace skiff::controllers {
namespace {

namespace core = api::core::v1;

const core::PodCondition* ready_condition(const core::Pod& pod) {
  for (const auto& c : pod.status().conditions())
    if (c.type() == "Ready") return &c;
  return nullptr;
}

// The samples the ratio is computed over: pod name → usage, for ready pods with a request.
using Samples = std::map<std::string, std::int64_t>;

struct Ratio {
  double ratio = 0;
  std::int32_t utilization = 0;
  std::int64_t average = 0;
};

// GetResourceUtilizationRatio: whole-percent utilization over the pods with samples, then its ratio to the target.
std::optional<Ratio> utilization_ratio(const Samples& samples, const std::map<std::string, std::int64_t>& requests,
                                       std::int32_t target) {
  std::int64_t usage = 0, requested = 0, count = 0;
  for (const auto& [name, value] : samples) {
    auto request = requests.find(name);
    if (request == requests.end()) continue;
    usage += value;
    requested += request->second;
    ++count;
  }
  if (requested == 0) return std::nullopt;
  Ratio r;
  r.utilization = static_cast<std::int32_t>(usage * 100 / requested);
  r.ratio = static_cast<double>(r.utilization) / target;
  r.average = usage / count;
  return r;
}

Ratio average_ratio(const Samples& samples, std::int64_t target) {
  std::int64_t usage = 0;
  for (const auto& [name, value] : samples) usage += value;
  Ratio r;
  r.ratio = static_cast<double>(usage) / (static_cast<double>(target) * static_cast<double>(samples.size()));
  r.average = usage / static_cast<std::int64_t>(samples.size());
  return r;
}

struct Groups {
  Samples ready;  // samples of ready pods
  std::vector<const PodUsage*> missing, unready;
  std::int32_t ready_count = 0;
};

Groups group(const std::vector<PodUsage>& pods) {
  Groups g;
  for (const auto& pod : pods) {
    if (pod.group == PodGroup::Ready && pod.usage) {
      g.ready[pod.name] = *pod.usage;
      ++g.ready_count;
    } else if (pod.group == PodGroup::Missing || (pod.group == PodGroup::Ready && !pod.usage)) {
      g.missing.push_back(&pod);
    } else if (pod.group == PodGroup::Unready) {
      g.unready.push_back(&pod);
    }
  }
  return g;
}

}  // namespace

PodGroup group_pod(const core::Pod& pod, const std::optional<PodSampleTimes>& sample, bool cpu,
                   const CpuReadiness& readiness, WallTime now) {
  if (!pod.metadata().deletion_timestamp().empty() || pod.status().phase() == "Failed") return PodGroup::Ignored;
  if (pod.status().phase() == "Pending") return PodGroup::Unready;
  if (!sample) return PodGroup::Missing;
  if (!cpu) return PodGroup::Ready;
  const core::PodCondition* ready = ready_condition(pod);
  auto started = sdk::parse_rfc3339(pod.status().start_time());
  if (!ready || !started) return PodGroup::Unready;
  auto transition = sdk::parse_rfc3339(ready->last_transition_time()).value_or(*started);
  bool unready;
  if (*started + readiness.initialization_period > now)
    // Still starting: a sample must cover a whole window after the pod became ready.
    unready = ready->status() == "False" || sample->timestamp < transition + sample->window;
  else
    // Unready and never ready since it started.
    unready = ready->status() == "False" && *started + readiness.initial_readiness_delay > transition;
  return unready ? PodGroup::Unready : PodGroup::Ready;
}

std::variant<ReplicaProposal, std::string> utilization_replicas(std::int32_t current, std::int32_t target_percent,
                                                                const std::vector<PodUsage>& pods, Tolerance tolerance) {
  if (pods.empty()) return std::string("no pods returned by selector while calculating replica count");
  Groups g = group(pods);
  if (g.ready.empty()) return std::string("did not receive metrics for targeted pods (pods might be unready)");
  std::map<std::string, std::int64_t> requests;
  for (const auto& pod : pods) requests[pod.name] = pod.request;
  auto first = utilization_ratio(g.ready, requests, target_percent);
  if (!first) return std::string("no metrics returned matched known pods");
  ReplicaProposal out{current, first->utilization, first->average};
  bool up_with_unready = !g.unready.empty() && first->ratio > 1.0;
  if (!up_with_unready && g.missing.empty()) {
    if (!tolerance.within(first->ratio))
      out.replicas = static_cast<std::int32_t>(std::ceil(first->ratio * g.ready_count));
    return out;
  }
  Samples filled = g.ready;
  std::int64_t fallback_percent = std::max<std::int64_t>(100, target_percent);
  for (const auto* pod : g.missing)
    if (first->ratio < 1.0) filled[pod->name] = pod->request * fallback_percent / 100;
    else if (first->ratio > 1.0) filled[pod->name] = 0;
  if (up_with_unready)
    for (const auto* pod : g.unready) filled[pod->name] = 0;
  auto second = utilization_ratio(filled, requests, target_percent);
  if (!second) return std::string("no metrics returned matched known pods");
  double r = second->ratio;
  if (tolerance.within(r) || (first->ratio < 1.0 && r > 1.0) || (first->ratio > 1.0 && r < 1.0)) return out;
  auto proposed = static_cast<std::int32_t>(std::ceil(r * static_cast<double>(filled.size())));
  if ((r < 1.0 && proposed > current) || (r > 1.0 && proposed < current)) return out;
  out.replicas = proposed;
  return out;
}

std::variant<ReplicaProposal, std::string> average_value_replicas(std::int32_t current, std::int64_t target_average,
                                                                  const std::vector<PodUsage>& pods, Tolerance tolerance) {
  if (pods.empty()) return std::string("no pods returned by selector while calculating replica count");
  Groups g = group(pods);
  if (g.ready.empty()) return std::string("did not receive metrics for targeted pods (pods might be unready)");
  Ratio first = average_ratio(g.ready, target_average);
  ReplicaProposal out{current, std::nullopt, first.average};
  bool up_with_unready = !g.unready.empty() && first.ratio > 1.0;
  if (!up_with_unready && g.missing.empty()) {
    if (!tolerance.within(first.ratio))
      out.replicas = static_cast<std::int32_t>(std::ceil(first.ratio * g.ready_count));
    return out;
  }
  Samples filled = g.ready;
  for (const auto* pod : g.missing)
    if (first.ratio < 1.0) filled[pod->name] = target_average;
    else filled[pod->name] = 0;
  if (up_with_unready)
    for (const auto* pod : g.unready) filled[pod->name] = 0;
  double r = average_ratio(filled, target_average).ratio;
  if (tolerance.within(r) || (first.ratio < 1.0 && r > 1.0) || (first.ratio > 1.0 && r < 1.0)) return out;
  auto proposed = static_cast<std::int32_t>(std::ceil(r * static_cast<double>(filled.size())));
  if ((r < 1.0 && proposed > current) || (r > 1.0 && proposed < current)) return out;
  out.replicas = proposed;
  return out;
}

}  // namespace skiff::controllers
