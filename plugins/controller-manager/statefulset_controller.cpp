// The StatefulSet controller: ordered pods with stable names and claims, rolling updates by
// ordinal, history and status.
#include "statefulset_controller.hpp"

#include <google/protobuf/util/message_differencer.h>

#include "pod_state.hpp"
#include "stateful_identity.hpp"

namespace skiff::controllers {
namespace {

bool running_and_ready(const core::Pod& pod) { return pod.status().phase() == "Running" && is_ready(pod); }
bool terminating(const core::Pod& pod) { return !pod.metadata().deletion_timestamp().empty(); }
bool finished(const core::Pod& pod) { return pod.status().phase() == "Failed" || pod.status().phase() == "Succeeded"; }

std::string revision_label(const core::Pod& pod) {
  auto found = pod.metadata().labels().find(kRevisionHashLabel);
  return found == pod.metadata().labels().end() ? "" : found->second;
}

int partition_of(const apps::StatefulSet& set) {
  const auto& strategy = set.spec().update_strategy();
  return strategy.type() == "RollingUpdate" ? strategy.rolling_update().partition() : 0;
}

}  // namespace

void StatefulSetController::register_handlers() {
  context_.informers.stateful_sets().add_handlers([this](const auto& s) { enqueue(key_of(*s)); },
                                                  [this](const auto&, const auto& s) { enqueue(key_of(*s)); },
                                                  [this](const auto& s) { enqueue(key_of(*s)); });
  context_.informers.pods().add_handlers([this](const auto& p) { on_pod(p); },
                                         [this](const auto&, const auto& p) { on_pod(p); },
                                         [this](const auto& p) { on_pod(p); });
  context_.informers.controller_revisions();
  context_.informers.persistent_volume_claims();
}

std::vector<std::string> StatefulSetController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& set : context_.informers.stateful_sets().list()) keys.push_back(key_of(*set));
  return keys;
}

void StatefulSetController::on_pod(const PodPtr& pod) {
  const auto* owner = controller_of(pod->metadata());
  if (owner && owner->kind() == "StatefulSet") enqueue(pod->metadata().namespace_() + "/" + owner->name());
}

StatefulSetController::Snapshot StatefulSetController::snapshot(const apps::StatefulSet& set) {
  Snapshot s{set, {}, "", {}, {}, set.spec().ordinals().start(), set.spec().has_replicas() ? set.spec().replicas() : 1};
  s.update = history_.current(set.metadata(), sdk::resource_type_of<apps::StatefulSet>(), set.spec().template_(),
                              set.status().collision_count());
  s.current_name = s.update.metadata().name();
  s.current_template = set.spec().template_();
  for (const auto& revision : history_.of(set.metadata()))
    if (revision.metadata().name() == set.status().current_revision() && revision.metadata().name() != s.current_name) {
      s.current_name = revision.metadata().name();
      s.current_template = template_of(revision);
    }
  for (const auto& pod : context_.informers.pods().by_index(kByOwner, set.metadata().uid())) {
    const auto* owner = controller_of(pod->metadata());
    auto ordinal = ordinal_of(set.metadata().name(), pod->metadata().name());
    if (owner && owner->uid() == set.metadata().uid() && ordinal) s.pods[*ordinal] = pod;
  }
  return s;
}

void StatefulSetController::create_claims(const apps::StatefulSet& set, int ordinal) {
  for (const auto& claim_template : set.spec().volume_claim_templates()) {
    core::PersistentVolumeClaim claim = stateful_claim(set, claim_template, ordinal);
    if (context_.informers.persistent_volume_claims().get(claim.metadata().namespace_(), claim.metadata().name())) continue;
    try {
      context_.api.create(claim);
      events_.record(set, "Normal", "SuccessfulCreate",
                     "create Claim " + claim.metadata().name() + " Pod " + stateful_pod_name(set.metadata().name(), ordinal) +
                         " in StatefulSet " + set.metadata().name() + " success");
    } catch (const sdk::Error& e) {
      if (e.status().code != 409) throw;
    }
  }
}

void StatefulSetController::create_pod(const Snapshot& s, int ordinal) {
  create_claims(s.set, ordinal);
  bool keep_current = s.set.spec().update_strategy().type() == "RollingUpdate" && ordinal - s.start < partition_of(s.set);
  core::Pod pod = keep_current ? stateful_pod(s.set, s.current_template, s.current_name, ordinal)
                               : stateful_pod(s.set, s.set.spec().template_(), s.update.metadata().name(), ordinal);
  try {
    context_.api.create(pod);
    events_.record(s.set, "Normal", "SuccessfulCreate",
                   "create Pod " + pod.metadata().name() + " in StatefulSet " + s.set.metadata().name() + " successful");
  } catch (const sdk::Error& e) {
    if (e.status().code == 409) return;  // made by a sync the cache has not shown yet
    events_.record(s.set, "Warning", "FailedCreate",
                   "create Pod " + pod.metadata().name() + " in StatefulSet " + s.set.metadata().name() +
                       " failed error: " + e.status().message);
    throw;
  }
}

void StatefulSetController::delete_pod(const apps::StatefulSet& set, const core::Pod& pod) {
  sdk::ApiDeleteOptions options;
  options.precondition_uid = pod.metadata().uid();  // never the pod that replaced the one we saw
  try {
    context_.api.erase<core::Pod>(pod.metadata().namespace_(), pod.metadata().name(), options);
    events_.record(set, "Normal", "SuccessfulDelete",
                   "delete Pod " + pod.metadata().name() + " in StatefulSet " + set.metadata().name() + " successful");
  } catch (const sdk::Error& e) {
    if (e.status().code != 404 && e.status().code != 409) throw;
  }
}

bool StatefulSetController::create_missing(const Snapshot& s) {
  bool ordered = s.set.spec().pod_management_policy() != "Parallel";
  for (int ordinal = s.start; ordinal < s.start + s.replicas; ++ordinal) {
    auto found = s.pods.find(ordinal);
    if (found == s.pods.end()) {
      create_pod(s, ordinal);
      if (ordered) return false;
      continue;
    }
    const core::Pod& pod = *found->second;
    if (finished(pod) && !terminating(pod)) delete_pod(s.set, pod);  // made again on the next sync
    if (ordered && (terminating(pod) || !running_and_ready(pod) || finished(pod))) return false;
  }
  return true;
}

bool StatefulSetController::scale_down(const Snapshot& s) {
  bool ordered = s.set.spec().pod_management_policy() != "Parallel";
  for (auto it = s.pods.rbegin(); it != s.pods.rend(); ++it) {
    int ordinal = it->first;
    if (ordinal >= s.start && ordinal < s.start + s.replicas) continue;
    const core::Pod& pod = *it->second;
    if (terminating(pod)) {
      if (ordered) return false;
      continue;
    }
    delete_pod(s.set, pod);
    if (ordered) return false;  // one at a time, highest first
  }
  return true;
}

void StatefulSetController::roll(const Snapshot& s) {
  if (s.set.spec().update_strategy().type() != "RollingUpdate") return;
  const std::string& update = s.update.metadata().name();
  for (int index = s.replicas - 1; index >= partition_of(s.set); --index) {
    auto found = s.pods.find(s.start + index);
    if (found == s.pods.end()) return;
    const core::Pod& pod = *found->second;
    if (terminating(pod)) return;
    if (revision_label(pod) != update) {
      delete_pod(s.set, pod);  // made again at the update revision
      return;
    }
    if (!running_and_ready(pod)) return;  // one unavailable pod at a time
  }
}

void StatefulSetController::delete_scaled_claims(const Snapshot& s) {
  if (s.set.spec().persistent_volume_claim_retention_policy().when_scaled() != "Delete") return;
  const std::string& name = s.set.metadata().name();
  for (const auto& claim : context_.informers.persistent_volume_claims().by_index(sdk::kNamespaceIndex,
                                                                                  s.set.metadata().namespace_())) {
    for (const auto& claim_template : s.set.spec().volume_claim_templates()) {
      const std::string prefix = claim_template.metadata().name() + "-";
      if (claim->metadata().name().rfind(prefix, 0) != 0) continue;
      auto ordinal = ordinal_of(name, claim->metadata().name().substr(prefix.size()));
      if (!ordinal || *ordinal < s.start + s.replicas || s.pods.count(*ordinal) || !claim->metadata().deletion_timestamp().empty())
        continue;
      try {
        context_.api.erase<core::PersistentVolumeClaim>(claim->metadata().namespace_(), claim->metadata().name());
      } catch (const sdk::Error& e) {
        if (e.status().code != 404) throw;
      }
    }
  }
}

void StatefulSetController::update_status(const Snapshot& s) {
  apps::StatefulSetStatus status = s.set.status();
  int replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const auto& [ordinal, pod] : s.pods) {
    if (terminating(*pod)) continue;
    ++replicas;
    ready += running_and_ready(*pod);
    available += running_and_ready(*pod) && is_available(*pod, s.set.spec().min_ready_seconds());
    current += revision_label(*pod) == s.current_name;
    updated += revision_label(*pod) == s.update.metadata().name();
  }
  std::string current_name = s.current_name;
  if (updated == s.replicas && replicas == s.replicas && ready == s.replicas) {
    current_name = s.update.metadata().name();  // the update is complete
    current = updated;
  }
  status.set_replicas(replicas);
  status.set_ready_replicas(ready);
  status.set_available_replicas(available);
  status.set_current_replicas(current);
  status.set_updated_replicas(updated);
  status.set_current_revision(current_name);
  status.set_update_revision(s.update.metadata().name());
  status.set_observed_generation(s.set.metadata().generation());
  if (google::protobuf::util::MessageDifferencer::Equals(status, s.set.status())) return;
  apps::StatefulSet next = s.set;
  *next.mutable_status() = status;
  context_.api.update(next, "status");
}

bool StatefulSetController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto set = context_.informers.stateful_sets().get(ns, name);
  if (!set || !set->metadata().deletion_timestamp().empty()) return true;
  Snapshot s = snapshot(*set);
  if (create_missing(s) && scale_down(s)) roll(s);
  delete_scaled_claims(s);
  update_status(s);
  std::set<std::string> in_use = {s.update.metadata().name(), s.current_name};
  for (const auto& [ordinal, pod] : s.pods) in_use.insert(revision_label(*pod));
  history_.prune(set->metadata(), set->spec().has_revision_history_limit() ? set->spec().revision_history_limit() : 10,
                 in_use);
  if (set->spec().min_ready_seconds() > 0)
    for (const auto& [ordinal, pod] : s.pods)
      if (auto left = time_until_available(*pod, set->spec().min_ready_seconds())) enqueue_after(key, *left);
  return true;
}

}  // namespace skiff::controllers
