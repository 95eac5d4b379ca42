// The HPA controller's reconcile (Kubernetes' reconcileAutoscaler); the arithmetic is in
// hpa_replicas and hpa_behavior, the metrics in hpa_metrics.
#include "horizontal_pod_autoscaler_controller.hpp"

#include <google/protobuf/util/message_differencer.h>
#include <spdlog/logger.h>

#include "hpa_conditions.hpp"
#include "hpa_metric_proposal.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {
namespace {

namespace as = api::autoscaling::v2;
namespace apps = api::apps::v1;
namespace pb = google::protobuf;

std::string group_of(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

// spec.replicas (1 when unset) and spec.selector of a Deployment, ReplicaSet or StatefulSet.
std::pair<std::int32_t, std::string> scale_of(const pb::Message& workload) {
  const auto* spec_field = workload.GetDescriptor()->FindFieldByName("spec");
  const pb::Message& spec = workload.GetReflection()->GetMessage(workload, spec_field);
  const auto* replicas = spec.GetDescriptor()->FindFieldByName("replicas");
  const auto* selector = spec.GetDescriptor()->FindFieldByName("selector");
  std::int32_t count = spec.GetReflection()->HasField(spec, replicas) ? spec.GetReflection()->GetInt32(spec, replicas) : 1;
  const auto& labels = static_cast<const api::meta::v1::LabelSelector&>(spec.GetReflection()->GetMessage(spec, selector));
  return {count, sdk::LabelSelector::from_proto(labels).to_string()};
}

bool scalable(const std::string& kind) { return kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet"; }

}  // namespace

struct HorizontalPodAutoscalerController::Target {
  const sdk::ResourceType* type = nullptr;
  std::string ns, name;
  std::int32_t replicas = 0;
  std::string selector;
};

struct HorizontalPodAutoscalerController::MetricsOutcome {
  std::int32_t replicas = -1;  // -1: the metrics cannot be acted on
  std::string metric;          // the metric that asked for the most replicas
  std::vector<as::MetricStatus> statuses;
  std::string error;
};

struct HorizontalPodAutoscalerController::Decision {
  std::int32_t desired = 0;
  bool change = false;
  std::string reason;  // the rescale's, as its event says it
  MetricsOutcome outcome = {};
  bool failed = false;  // no metric could be used: nothing changes
};

sdk::SharedInformer& HorizontalPodAutoscalerController::autoscalers() {
  return context_.informers.of(sdk::resource_type_of<as::HorizontalPodAutoscaler>());
}

void HorizontalPodAutoscalerController::register_handlers() {
  sdk::EventHandlers handlers;
  handlers.on_add = [this](const sdk::ObjectPtr& o) { enqueue(key_of(*o)); };
  // Our own status writes come back as updates: only a changed spec is worth an early sync.
  handlers.on_update = [this](const sdk::ObjectPtr& old, const sdk::ObjectPtr& o) {
    if (sdk::meta_of(*old).generation() != sdk::meta_of(*o).generation()) enqueue(key_of(*o));
  };
  handlers.on_delete = [this](const sdk::ObjectPtr& o) { enqueue(key_of(*o)); };
  autoscalers().add_handlers(std::move(handlers));
  // The scale sources and the pods, created now, as informers are, before they start.
  context_.informers.pods();
  context_.informers.deployments();
  context_.informers.replica_sets();
  context_.informers.stateful_sets();
}

std::vector<std::string> HorizontalPodAutoscalerController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& hpa : autoscalers().list()) keys.push_back(key_of(*hpa));
  return keys;
}

void HorizontalPodAutoscalerController::schedule(const std::string& key, WallTime now) {
  std::lock_guard lock(mutex_);
  auto& next = next_sync_[key];
  if (next > now) return;  // a periodic sync is already on its way
  next = now + options_.sync_period;
  enqueue_after(key, options_.sync_period);
}

bool HorizontalPodAutoscalerController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto object = autoscalers().get(ns, name);
  if (!object) {
    std::lock_guard lock(mutex_);
    history_.erase(key);
    next_sync_.erase(key);
    return true;
  }
  WallTime now = std::chrono::system_clock::now();
  const auto& hpa = static_cast<const as::HorizontalPodAutoscaler&>(*object);
  as::HorizontalPodAutoscaler next = hpa;
  reconcile(key, next, now);
  schedule(key, now);
  write_status(hpa, next);
  return true;
}

std::optional<HorizontalPodAutoscalerController::Target> HorizontalPodAutoscalerController::target_of(
    as::HorizontalPodAutoscaler& hpa, WallTime now) {
  const auto& ref = hpa.spec().scale_target_ref();
  const std::string group = group_of(ref.api_version());
  const sdk::ResourceType* type = sdk::find_resource_by_kind(group, ref.kind());
  std::string error;
  sdk::ObjectPtr object;
  if (!type || !scalable(ref.kind()))
    error = "unable to determine resource for scale target reference: no matches for kind \"" + ref.kind() +
            "\" in group \"" + group + "\" (the HPA scales Deployments, ReplicaSets and StatefulSets)";
  else if (!(object = context_.informers.of(*type).get(hpa.metadata().namespace_(), ref.name())))
    error = type->resource() + " \"" + ref.name() + "\" not found";
  if (!error.empty()) {
    events_.record(hpa, "Warning", "FailedGetScale", error);
    set_hpa_condition(*hpa.mutable_status(), "AbleToScale", "False", "FailedGetScale",
                      "the HPA controller was unable to get the target's current scale: " + error, now);
    return std::nullopt;
  }
  auto [replicas, selector] = scale_of(*object);
  return Target{type, hpa.metadata().namespace_(), ref.name(), replicas, selector};
}

HorizontalPodAutoscalerController::MetricsOutcome HorizontalPodAutoscalerController::replicas_for_metrics(
    as::HorizontalPodAutoscaler& hpa, const Target& target, WallTime now) {
  MetricsOutcome out;
  const auto& specs = hpa.spec().metrics();
  out.statuses.resize(specs.size());
  std::vector<std::shared_ptr<const api::core::v1::Pod>> pods;
  sdk::LabelSelector selector = sdk::LabelSelector::parse(target.selector);
  for (const auto& pod : context_.informers.pods().by_index(sdk::kNamespaceIndex, target.ns))
    if (selector.matches(pod->metadata().labels())) pods.push_back(pod);

  MetricContext context{metrics_, target.ns, target.selector, pods, target.replicas, tolerance_of(hpa, options_.tolerance),
                        options_.cpu, now};
  int invalid = 0;
  std::int32_t proposed = 0;
  MetricFailure first_failure;
  for (int i = 0; i < specs.size(); ++i) {
    auto result = propose_for_metric(specs[i], context);
    if (auto* failure = std::get_if<MetricFailure>(&result)) {
      if (invalid++ == 0) first_failure = *failure;
      events_.record(hpa, "Warning", failure->reason, failure->error);
      continue;
    }
    auto& proposal = std::get<MetricProposal>(result);
    out.statuses[i] = proposal.status;
    if (proposed == 0 || proposal.replicas > proposed) {
      proposed = proposal.replicas;
      out.metric = proposal.metric;
    }
  }
  if (invalid > 0)
    out.error = "invalid metrics (" + std::to_string(invalid) + " invalid out of " + std::to_string(specs.size()) +
                "), first error is: " + first_failure.error;
  if (invalid >= specs.size() || (invalid > 0 && proposed < target.replicas)) {
    set_hpa_condition(*hpa.mutable_status(), "ScalingActive", "False", first_failure.reason,
                      "the HPA was unable to compute the replica count: " + first_failure.error, now);
    return out;
  }
  set_hpa_condition(*hpa.mutable_status(), "ScalingActive", "True", "ValidMetricFound",
                    "the HPA was able to successfully calculate a replica count from " + out.metric, now);
  out.replicas = proposed;
  return out;
}

std::int32_t HorizontalPodAutoscalerController::normalize(const std::string& key, as::HorizontalPodAutoscaler& hpa,
                                                          std::int32_t current, std::int32_t desired, WallTime now) {
  const auto& spec = hpa.spec();
  ReplicaBounds bounds{current, spec.has_min_replicas() ? spec.min_replicas() : 1, spec.max_replicas()};
  Normalized result;
  {
    std::lock_guard lock(mutex_);
    ScalingHistory& history = history_[key];
    if (spec.has_behavior()) {
      as::HorizontalPodAutoscalerBehavior behavior = spec.behavior();
      // maybeInitScaleDownStabilizationWindow: the controller's window where the HPA names none.
      if (!behavior.scale_down().has_stabilization_window_seconds())
        behavior.mutable_scale_down()->set_stabilization_window_seconds(
            static_cast<std::int32_t>(options_.downscale_stabilization.count()));
      result = normalize_with_behavior(history, desired, bounds, behavior, now);
    } else {
      result = normalize_without_behavior(history, desired, bounds, options_.downscale_stabilization, now);
    }
  }
  for (const auto& c : result.conditions)
    set_hpa_condition(*hpa.mutable_status(), c.type, c.status, c.reason, c.message, now);
  return result.replicas;
}

void HorizontalPodAutoscalerController::rescale(const Target& target, std::int32_t replicas) {
  const std::string patch = R"({"spec":{"replicas":)" + std::to_string(replicas) + "}}";
  if (target.type->kind == "Deployment") context_.api.patch<apps::Deployment>(target.ns, target.name, "merge", patch);
  else if (target.type->kind == "ReplicaSet") context_.api.patch<apps::ReplicaSet>(target.ns, target.name, "merge", patch);
  else context_.api.patch<apps::StatefulSet>(target.ns, target.name, "merge", patch);
}

HorizontalPodAutoscalerController::Decision HorizontalPodAutoscalerController::decide(const std::string& key,
                                                                                   as::HorizontalPodAutoscaler& hpa,
                                                                                   const Target& target, WallTime now) {
  const auto& spec = hpa.spec();
  const std::int32_t current = target.replicas;
  const std::int32_t min = spec.has_min_replicas() ? spec.min_replicas() : 1;
  Decision d;
  if (current == 0 && min != 0) {
    set_hpa_condition(*hpa.mutable_status(), "ScalingActive", "False", "ScalingDisabled",
                      "scaling is disabled since the replica count of the target is zero", now);
    return d;
  }
  // A target outside the bounds is brought back first, whatever the metrics say.
  if (current > spec.max_replicas()) return {spec.max_replicas(), true, "Current number of replicas above Spec.MaxReplicas"};
  if (current < min) return {min, true, "Current number of replicas below Spec.MinReplicas"};
  d.outcome = replicas_for_metrics(hpa, target, now);
  if (d.outcome.replicas == -1) {
    d.failed = true;
    events_.record(hpa, "Warning", "FailedComputeMetricsReplicas", d.outcome.error);
    return d;
  }
  if (d.outcome.replicas > current) d.reason = d.outcome.metric + " above target";
  if (d.outcome.replicas < current) d.reason = "All metrics below target";
  d.desired = normalize(key, hpa, current, d.outcome.replicas, now);
  d.change = d.desired != current;
  return d;
}

bool HorizontalPodAutoscalerController::rescale_target(const std::string& key, as::HorizontalPodAutoscaler& hpa,
                                                       const Target& target, const Decision& d, WallTime now) {
  const std::string size = std::to_string(d.desired);
  try {
    rescale(target, d.desired);
  } catch (const sdk::Error& e) {
    events_.record(hpa, "Warning", "FailedRescale",
                   "New size: " + size + "; reason: " + d.reason + "; error: " + e.status().message);
    set_hpa_condition(*hpa.mutable_status(), "AbleToScale", "False", "FailedUpdateScale",
                      "the HPA controller was unable to update the target scale: " + e.status().message, now);
    return false;
  }
  set_hpa_condition(*hpa.mutable_status(), "AbleToScale", "True", "SucceededRescale",
                    "the HPA controller was able to update the target scale to " + size, now);
  events_.record(hpa, "Normal", "SuccessfulRescale", "New size: " + size + "; reason: " + d.reason);
  if (hpa.spec().has_behavior()) {
    std::lock_guard lock(mutex_);
    record_scale_event(history_[key], hpa.spec().behavior(), target.replicas, d.desired, now);
  }
  hpa.mutable_status()->set_last_scale_time(sdk::format_rfc3339(now));
  context_.log.info("horizontal-pod-autoscaler: {} rescaled {}/{} from {} to {}: {}", key, target.type->kind, target.name,
                    target.replicas, d.desired, d.reason);
  return true;
}

void HorizontalPodAutoscalerController::reconcile(const std::string& key, as::HorizontalPodAutoscaler& hpa, WallTime now) {
  auto& status = *hpa.mutable_status();
  auto target = target_of(hpa, now);
  if (!target) return;
  set_hpa_condition(status, "AbleToScale", "True", "SucceededGetScale",
                    "the HPA controller was able to get the target's current scale", now);
  Decision d = decide(key, hpa, *target, now);
  status.set_current_replicas(target->replicas);
  status.mutable_current_metrics()->Assign(d.outcome.statuses.begin(), d.outcome.statuses.end());
  if (d.failed) return;
  if (d.change && !rescale_target(key, hpa, *target, d, now)) return;
  status.set_desired_replicas(d.change ? d.desired : target->replicas);
  status.set_observed_generation(hpa.metadata().generation());
}

void HorizontalPodAutoscalerController::write_status(const as::HorizontalPodAutoscaler& before,
                                                     const as::HorizontalPodAutoscaler& after) {
  if (pb::util::MessageDifferencer::Equals(before.status(), after.status())) return;
  try {
    context_.api.update(after, "status");
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) return;
    if (e.status().code != 409) throw;
    // The spec changed meanwhile: this sync's status still holds; the next sync sees the new spec.
    auto fresh = context_.api.get<as::HorizontalPodAutoscaler>(after.metadata().namespace_(), after.metadata().name());
    *fresh.mutable_status() = after.status();
    context_.api.update(fresh, "status");
  }
}

}  // namespace skiff::controllers
