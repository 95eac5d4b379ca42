// The DaemonSet controller: informers in, pods and revisions out, status last.
#include "daemonset_controller.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <map>

#include "parallel.hpp"
#include "pod_state.hpp"

namespace skiff::controllers {
namespace {

using PodPtr = std::shared_ptr<const core::Pod>;
using Differencer = google::protobuf::util::MessageDifferencer;
constexpr int kConcurrency = 16;



std::string hash_label(const core::Pod& pod) {
  auto found = pod.metadata().labels().find(kRevisionHashLabel);
  return found == pod.metadata().labels().end() ? "" : found->second;
}

bool same_labels(const api::meta::v1::ObjectMeta& a, const api::meta::v1::ObjectMeta& b) {
  std::map<std::string, std::string> left(a.labels().begin(), a.labels().end()), right(b.labels().begin(), b.labels().end());
  return left == right;
}

}  // namespace

void DaemonSetController::register_handlers() {
  context_.informers.daemon_sets().add_handlers(
      [this](const auto& ds) { enqueue(key_of(*ds)); }, [this](const auto&, const auto& ds) { enqueue(key_of(*ds)); },
      [this](const auto& ds) {
        expectations_.forget(key_of(*ds));
        enqueue(key_of(*ds));
      });
  context_.informers.pods().add_handlers(
      [this](const auto& p) { on_pod(p, PodEvent::Added); },
      [this](const auto& old, const auto& p) {
        bool deletion_began = old->metadata().deletion_timestamp().empty() && !p->metadata().deletion_timestamp().empty();
        on_pod(p, deletion_began ? PodEvent::Deleted : PodEvent::Changed);
      },
      [this](const auto& p) { on_pod(p, p->metadata().deletion_timestamp().empty() ? PodEvent::Deleted : PodEvent::Changed); });
  // A node that comes, goes or changes labels or taints may change every DaemonSet's plan.
  context_.informers.nodes().add_handlers([this](const auto&) { enqueue_all(); },
                                          [this](const auto& old, const auto& node) {
                                            if (!same_labels(old->metadata(), node->metadata()) ||
                                                !Differencer::Equals(old->spec(), node->spec()))
                                              enqueue_all();
                                          },
                                          [this](const auto&) { enqueue_all(); });
  context_.informers.controller_revisions();
}

std::vector<std::string> DaemonSetController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& ds : context_.informers.daemon_sets().list()) keys.push_back(key_of(*ds));
  return keys;
}

void DaemonSetController::enqueue_all() {
  for (const auto& key : initial_keys()) enqueue(key);
}

void DaemonSetController::on_pod(const PodPtr& pod, PodEvent event) {
  const auto* owner = controller_of(pod->metadata());
  if (!owner || owner->kind() != "DaemonSet") return;
  std::string key = pod->metadata().namespace_() + "/" + owner->name();
  if (event == PodEvent::Added) expectations_.observed_add(key);
  if (event == PodEvent::Deleted) expectations_.observed_delete(key);
  enqueue(key);
}

std::vector<PodPtr> DaemonSetController::owned_pods(const apps::DaemonSet& ds) {
  std::vector<PodPtr> pods;
  for (const auto& pod : context_.informers.pods().by_index(kByOwner, ds.metadata().uid())) {
    const auto* owner = controller_of(pod->metadata());
    if (owner && owner->uid() == ds.metadata().uid()) pods.push_back(pod);
  }
  return pods;
}

std::vector<DaemonNodeView> DaemonSetController::node_views(const apps::DaemonSet& ds, const std::string& hash,
                                                            const std::vector<PodPtr>& pods) {
  std::map<std::string, DaemonNodeView> views;
  for (const auto& node : context_.informers.nodes().list())
    views[node->metadata().name()] = {node->metadata().name(), daemon_placement(ds.spec().template_(), *node), {}};
  for (const auto& pod : pods) {
    if (!pod->metadata().deletion_timestamp().empty()) continue;
    std::string node = node_of_daemon_pod(*pod);
    auto& view = views[node];  // a node that is gone keeps no pods: its placement stays false
    view.node = node;
    view.pods.push_back({pod->metadata().name(), hash_label(*pod) == hash,
                         is_available(*pod, ds.spec().min_ready_seconds()),
                         pod->status().phase() == "Failed", pod->metadata().creation_timestamp()});
  }
  std::vector<DaemonNodeView> out;
  for (auto& [name, view] : views) out.push_back(std::move(view));
  return out;
}

void DaemonSetController::apply(const apps::DaemonSet& ds, const std::string& key, const std::string& hash,
                                const DaemonPlan& plan) {
  expectations_.expect(key, static_cast<int>(plan.create_on.size()), static_cast<int>(plan.delete_pods.size()));
  parallel_for(static_cast<int>(plan.create_on.size()), kConcurrency, [&](int i) {
    try {
      auto made = context_.api.create(daemon_pod(ds, hash, plan.create_on[i]));
      events_.record(ds, "Normal", "SuccessfulCreate", "Created pod: " + made.metadata().name());
    } catch (const sdk::Error& e) {
      expectations_.add_failed(key);
      events_.record(ds, "Warning", "FailedCreate", "Error creating: " + e.status().message);
    }
  });
  parallel_for(static_cast<int>(plan.delete_pods.size()), kConcurrency, [&](int i) {
    try {
      context_.api.erase<core::Pod>(ds.metadata().namespace_(), plan.delete_pods[i]);
      events_.record(ds, "Normal", "SuccessfulDelete", "Deleted pod: " + plan.delete_pods[i]);
    } catch (const sdk::Error& e) {
      expectations_.delete_failed(key);
      if (e.status().code != 404) events_.record(ds, "Warning", "FailedDelete", "Error deleting: " + e.status().message);
    }
  });
}

void DaemonSetController::update_status(const apps::DaemonSet& ds, const std::vector<DaemonNodeView>& views) {
  apps::DaemonSetStatus status = ds.status();
  int desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
  for (const auto& view : views) {
    bool has_pod = !view.pods.empty();
    if (!view.placement.should_run) {
      if (has_pod) ++misscheduled;
      continue;
    }
    ++desired;
    if (!has_pod) continue;
    ++current;
    bool any_ready = false, any_available = false, any_updated = false;
    for (const auto& pod : view.pods) {
      auto live = context_.informers.pods().get(ds.metadata().namespace_(), pod.name);
      any_ready = any_ready || (live && is_ready(*live));
      any_available = any_available || pod.available;
      any_updated = any_updated || pod.updated;
    }
    ready += any_ready;
    available += any_available;
    updated += any_updated;
  }
  status.set_desired_number_scheduled(desired);
  status.set_current_number_scheduled(current);
  status.set_number_misscheduled(misscheduled);
  status.set_number_ready(ready);
  status.set_number_available(available);
  status.set_number_unavailable(desired - available);
  status.set_updated_number_scheduled(updated);
  status.set_observed_generation(ds.metadata().generation());
  if (google::protobuf::util::MessageDifferencer::Equals(status, ds.status())) return;
  apps::DaemonSet next = ds;
  *next.mutable_status() = status;
  context_.api.update(next, "status");
}

bool DaemonSetController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto ds = context_.informers.daemon_sets().get(ns, name);
  if (!ds) {
    expectations_.forget(key);
    return true;
  }
  if (!ds->metadata().deletion_timestamp().empty()) return true;
  auto revision = history_.current(ds->metadata(), sdk::resource_type_of<apps::DaemonSet>(), ds->spec().template_(),
                                   ds->status().collision_count());
  std::string hash = revision.metadata().labels().at(kRevisionHashLabel);
  std::vector<PodPtr> pods = owned_pods(*ds);
  std::vector<DaemonNodeView> views = node_views(*ds, hash, pods);
  if (expectations_.satisfied(key)) {
    int desired = 0;
    for (const auto& view : views) desired += view.placement.should_run;
    const auto& strategy = ds->spec().update_strategy();
    const auto& rolling = strategy.rolling_update();
    DaemonRollout rollout =
        daemon_rollout(rolling.has_max_unavailable() ? &rolling.max_unavailable() : nullptr,
                       rolling.has_max_surge() ? &rolling.max_surge() : nullptr, strategy.type() != "OnDelete", desired);
    apply(*ds, key, hash, plan_daemon_pods(views, rollout));
  }
  update_status(*ds, views);
  std::set<std::string> in_use = {revision.metadata().name()};
  for (const auto& pod : pods) in_use.insert(ds->metadata().name() + "-" + hash_label(*pod));
  history_.prune(ds->metadata(), ds->spec().has_revision_history_limit() ? ds->spec().revision_history_limit() : 10, in_use);
  // Pods turning available after minReadySeconds change no object: look again then.
  if (ds->spec().min_ready_seconds() > 0)
    for (const auto& pod : pods)
      if (auto left = time_until_available(*pod, ds->spec().min_ready_seconds())) enqueue_after(key, *left);
  return true;
}

}  // namespace skiff::controllers
