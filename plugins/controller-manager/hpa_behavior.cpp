// HPA stabilization and scale-rate policies, with Kubernetes' reasons and messages.
#include "hpa_behavior.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

namespace skiff::controllers {
namespace {

namespace as = api::autoscaling::v2;
using std::chrono::seconds;

constexpr const char* kAbleToScale = "AbleToScale";
constexpr const char* kScalingLimited = "ScalingLimited";

void remember(std::vector<TimedRecommendation>& history, std::int32_t replicas, WallTime now, bool reuse_slot,
              std::size_t slot) {
  if (reuse_slot) history[slot] = {replicas, now};
  else history.push_back({replicas, now});
}

// Pods added (or removed) by the events of the last `period`.
std::int32_t change_in_period(const std::vector<TimedScaleEvent>& events, std::int32_t period_seconds, WallTime now) {
  WallTime cutoff = now - seconds(period_seconds);
  std::int32_t sum = 0;
  for (const auto& e : events)
    if (e.at > cutoff) sum += e.change;
  return sum;
}

std::int32_t period_start(std::int32_t current, const ScalingHistory& history, std::int32_t period, WallTime now) {
  return current - change_in_period(history.scale_ups, period, now) + change_in_period(history.scale_downs, period, now);
}

NormalizedCondition limited(std::int32_t result, std::int32_t stabilized, const std::string& reason,
                            const std::string& message) {
  return {kScalingLimited, result == stabilized ? "False" : "True", reason, message};
}

struct RateLimited {
  std::int32_t replicas;
  std::string reason, message;
};

RateLimited within_range(std::int32_t replicas) {
  return {replicas, "DesiredWithinRange", "the desired count is within the acceptable range"};
}

// convertDesiredReplicasWithBehaviorRate
RateLimited limit_rate(const ScalingHistory& history, std::int32_t desired, ReplicaBounds bounds,
                       const as::HorizontalPodAutoscalerBehavior& behavior, WallTime now) {
  if (desired > bounds.current) {
    std::int32_t limit = std::max(scale_up_limit(bounds.current, history, behavior.scale_up(), now), bounds.current);
    if (bounds.max > limit) {
      if (desired > limit)
        return {limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"};
    } else if (desired > bounds.max) {
      return {bounds.max, "TooManyReplicas", "the desired replica count is more than the maximum replica count"};
    }
  } else if (desired < bounds.current) {
    std::int32_t limit = std::min(scale_down_limit(bounds.current, history, behavior.scale_down(), now), bounds.current);
    if (bounds.min < limit) {
      if (desired < limit)
        return {limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"};
    } else if (desired < bounds.min) {
      return {bounds.min, "TooFewReplicas", "the desired replica count is less than the minimum replica count"};
    }
  }
  return within_range(desired);
}

// Drops scale events older than the rules' longest period, keeping their slots for reuse.
void add_event(std::vector<TimedScaleEvent>& events, const as::HPAScalingRules& rules, std::int32_t change, WallTime now) {
  std::int32_t longest = 0;
  for (const auto& p : rules.policies()) longest = std::max(longest, p.period_seconds());
  WallTime cutoff = now - seconds(longest);
  for (auto& e : events)
    if (e.at < cutoff) e.outdated = true;
  for (auto& e : events)
    if (e.outdated) {
      e = {change, now, false};
      return;
    }
  events.push_back({change, now, false});
}

}  // namespace

std::int32_t scale_up_limit(std::int32_t current, const ScalingHistory& history, const as::HPAScalingRules& rules,
                            WallTime now) {
  const std::string select = rules.has_select_policy() ? rules.select_policy() : "Max";
  if (select == "Disabled") return current;
  bool min = select == "Min";
  std::int32_t result = min ? INT32_MAX : INT32_MIN;
  for (const auto& policy : rules.policies()) {
    std::int32_t start = period_start(current, history, policy.period_seconds(), now);
    std::int32_t proposed = policy.type() == "Pods"
                                ? start + policy.value()
                                : static_cast<std::int32_t>(std::ceil(start * (1 + policy.value() / 100.0)));
    result = min ? std::min(result, proposed) : std::max(result, proposed);
  }
  return result;
}

std::int32_t scale_down_limit(std::int32_t current, const ScalingHistory& history, const as::HPAScalingRules& rules,
                              WallTime now) {
  const std::string select = rules.has_select_policy() ? rules.select_policy() : "Max";
  if (select == "Disabled") return current;
  bool min = select == "Min";
  std::int32_t result = min ? INT32_MIN : INT32_MAX;
  for (const auto& policy : rules.policies()) {
    std::int32_t start = period_start(current, history, policy.period_seconds(), now);
    std::int32_t proposed = policy.type() == "Pods"
                                ? start - policy.value()
                                : static_cast<std::int32_t>(start * (1 - policy.value() / 100.0));
    result = min ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

Normalized normalize_without_behavior(ScalingHistory& history, std::int32_t desired, ReplicaBounds bounds,
                                      seconds downscale_window, WallTime now) {
  // stabilizeRecommendation: the highest recommendation of the window.
  std::int32_t stabilized = desired;
  WallTime cutoff = now - downscale_window;
  bool old_found = false;
  std::size_t old_slot = 0;
  for (std::size_t i = 0; i < history.recommendations.size(); ++i) {
    const auto& rec = history.recommendations[i];
    if (rec.at < cutoff) {
      old_found = true;
      old_slot = i;
    } else {
      stabilized = std::max(stabilized, rec.replicas);
    }
  }
  remember(history.recommendations, desired, now, old_found, old_slot);

  Normalized out;
  if (stabilized != desired)
    out.conditions.push_back({kAbleToScale, "True", "ScaleDownStabilized",
                              "recent recommendations were higher than current one, applying the highest recent "
                              "recommendation"});
  else
    out.conditions.push_back({kAbleToScale, "True", "ReadyForNewScale", "recommended size matches current size"});

  // convertDesiredReplicasWithRules: no more than doubling (at least 4) per sync.
  std::int32_t up_limit = std::max(2 * bounds.current, 4);
  std::int32_t maximum = bounds.max;
  RateLimited result = within_range(stabilized);
  std::string reason = "TooManyReplicas", message = "the desired replica count is more than the maximum replica count";
  if (bounds.max > up_limit) {
    maximum = up_limit;
    reason = "ScaleUpLimit";
    message = "the desired replica count is increasing faster than the maximum scale rate";
  }
  if (stabilized < bounds.min)
    result = {bounds.min, "TooFewReplicas", "the desired replica count is less than the minimum replica count"};
  else if (stabilized > maximum)
    result = {maximum, reason, message};
  out.replicas = result.replicas;
  out.conditions.push_back(limited(result.replicas, stabilized, result.reason, result.message));
  return out;
}

Normalized normalize_with_behavior(ScalingHistory& history, std::int32_t desired, ReplicaBounds bounds,
                                   const as::HorizontalPodAutoscalerBehavior& behavior, WallTime now) {
  // stabilizeRecommendationWithBehaviors: the lowest of the up window, the highest of the down window.
  WallTime up_cutoff = now - seconds(behavior.scale_up().stabilization_window_seconds());
  WallTime down_cutoff = now - seconds(behavior.scale_down().stabilization_window_seconds());
  std::int32_t up = desired, down = desired;
  bool old_found = false;
  std::size_t old_slot = 0;
  for (std::size_t i = 0; i < history.recommendations.size(); ++i) {
    const auto& rec = history.recommendations[i];
    if (rec.at > up_cutoff) up = std::min(up, rec.replicas);
    if (rec.at > down_cutoff) down = std::max(down, rec.replicas);
    if (rec.at < up_cutoff && rec.at < down_cutoff) {
      old_found = true;
      old_slot = i;
    }
  }
  std::int32_t stabilized = std::min(std::max(bounds.current, up), down);
  remember(history.recommendations, desired, now, old_found, old_slot);

  Normalized out;
  if (stabilized != desired) {
    if (desired >= bounds.current)
      out.conditions.push_back({kAbleToScale, "True", "ScaleUpStabilized",
                                "recent recommendations were lower than current one, applying the lowest recent "
                                "recommendation"});
    else
      out.conditions.push_back({kAbleToScale, "True", "ScaleDownStabilized",
                                "recent recommendations were higher than current one, applying the highest recent "
                                "recommendation"});
  } else {
    out.conditions.push_back({kAbleToScale, "True", "ReadyForNewScale", "recommended size matches current size"});
  }
  RateLimited result = limit_rate(history, stabilized, bounds, behavior, now);
  out.replicas = result.replicas;
  out.conditions.push_back(limited(result.replicas, stabilized, result.reason, result.message));
  return out;
}

void record_scale_event(ScalingHistory& history, const as::HorizontalPodAutoscalerBehavior& behavior, std::int32_t from,
                        std::int32_t to, WallTime now) {
  if (to > from) add_event(history.scale_ups, behavior.scale_up(), to - from, now);
  else if (to < from) add_event(history.scale_downs, behavior.scale_down(), from - to, now);
}

}  // namespace skiff::controllers
