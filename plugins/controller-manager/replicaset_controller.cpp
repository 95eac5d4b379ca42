#include "replicaset_controller.hpp"

#include <google/protobuf/util/message_differencer.h>
#include <spdlog/logger.h>

#include <algorithm>

#include "parallel.hpp"
#include "pod_ranking.hpp"
#include "pod_state.hpp"
#include "stored_copy.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace {

using PodPtr = std::shared_ptr<const core::Pod>;

constexpr int kBurstReplicas = 500;  // most pods created or deleted in one sync
constexpr int kCreateConcurrency = 32;

int desired_replicas(const apps::ReplicaSet& rs) { return rs.spec().has_replicas() ? rs.spec().replicas() : 1; }

sdk::LabelSelector selector_of(const apps::ReplicaSet& rs) { return sdk::LabelSelector::from_proto(rs.spec().selector()); }

}  // namespace

core::Pod pod_from_template(const apps::ReplicaSet& rs) {
  core::Pod pod;
  auto* meta = pod.mutable_metadata();
  *meta = rs.spec().template_().metadata();
  meta->clear_name();
  meta->set_generate_name(rs.metadata().name() + "-");
  meta->set_namespace_(rs.metadata().namespace_());
  *meta->add_owner_references() = controller_reference(rs.metadata(), sdk::resource_type_of<apps::ReplicaSet>());
  *pod.mutable_spec() = rs.spec().template_().spec();
  return pod;
}

void ReplicaSetController::register_handlers() {
  auto& rs = context_.informers.replica_sets();
  rs.add_handlers([this](const auto& r) { enqueue(key_of(*r)); }, [this](const auto&, const auto& r) { enqueue(key_of(*r)); },
                  [this](const auto& r) {
                    expectations_.forget(key_of(*r));
                    enqueue(key_of(*r));
                  });
  context_.informers.pods().add_handlers([this](const auto& p) { on_pod(nullptr, p); },
                                         [this](const auto& old, const auto& p) { on_pod(old, p); },
                                         [this](const auto& p) { on_pod_deleted(p); });
}

std::vector<std::string> ReplicaSetController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& rs : context_.informers.replica_sets().list()) keys.push_back(key_of(*rs));
  return keys;
}

std::vector<std::string> ReplicaSetController::matching_owners(const core::Pod& pod) {
  std::vector<std::string> keys;
  for (const auto& rs : context_.informers.replica_sets().by_index(sdk::kNamespaceIndex, pod.metadata().namespace_())) {
    try {
      auto selector = selector_of(*rs);
      if (!selector.empty() && selector.matches(pod.metadata().labels())) keys.push_back(key_of(*rs));
    } catch (const std::exception&) {
    }
  }
  return keys;
}

void ReplicaSetController::on_pod(const PodPtr& old_pod, const PodPtr& pod) {
  const auto* owner = controller_of(pod->metadata());
  std::string ns = pod->metadata().namespace_();
  if (!old_pod && owner && owner->kind() == "ReplicaSet") expectations_.observed_add(ns + "/" + owner->name());
  if (old_pod) {
    const auto* old_owner = controller_of(old_pod->metadata());
    if (old_owner && old_owner->kind() == "ReplicaSet" && (!owner || old_owner->uid() != owner->uid()))
      enqueue(ns + "/" + old_owner->name());
    if (pod->metadata().deletion_timestamp() != old_pod->metadata().deletion_timestamp() && owner &&
        owner->kind() == "ReplicaSet" && old_pod->metadata().deletion_timestamp().empty())
      expectations_.observed_delete(ns + "/" + owner->name());  // graceful deletion began
  }
  if (owner) {
    if (owner->kind() == "ReplicaSet") enqueue(ns + "/" + owner->name());
    return;
  }
  for (const auto& key : matching_owners(*pod)) enqueue(key);  // an orphan: someone may adopt it
}

void ReplicaSetController::on_pod_deleted(const PodPtr& pod) {
  const auto* owner = controller_of(pod->metadata());
  if (!owner || owner->kind() != "ReplicaSet") return;
  std::string key = pod->metadata().namespace_() + "/" + owner->name();
  if (pod->metadata().deletion_timestamp().empty()) expectations_.observed_delete(key);
  enqueue(key);
}

// Its own pods whose labels still match, and the matching orphans it adopts; a pod of
// its own that no longer matches is let go. Only its pods and the namespace's orphans are
// looked at (the owner and orphan indexes, as Kubernetes' FilterPodsByOwner).
std::vector<PodPtr> ReplicaSetController::claim_pods(const apps::ReplicaSet& rs) {
  auto selector = selector_of(rs);
  const auto& meta = rs.metadata();
  bool deleting = !meta.deletion_timestamp().empty();
  std::vector<PodPtr> owned;
  for (const auto& pod : context_.informers.pods().by_index(kByOwner, meta.uid())) {
    const auto* owner = controller_of(pod->metadata());
    if (!owner || owner->uid() != meta.uid()) continue;  // an owner, not the controller
    if (deleting || (!selector.empty() && selector.matches(pod->metadata().labels()))) owned.push_back(pod);
    else release(rs, *pod);
  }
  if (deleting || selector.empty()) return owned;
  for (const auto& pod : context_.informers.pods().by_index(kOrphansIn, meta.namespace_())) {
    if (!pod->metadata().deletion_timestamp().empty() || !selector.matches(pod->metadata().labels())) continue;
    if (auto adopted = adopt(rs, selector, *pod)) owned.push_back(std::move(adopted));
  }
  return owned;
}

void ReplicaSetController::release(const apps::ReplicaSet& rs, const core::Pod& pod) {
  auto stored = stored_copy(context_.api, pod);
  if (!stored) return;
  auto* refs = stored->mutable_metadata()->mutable_owner_references();
  refs->erase(std::remove_if(refs->begin(), refs->end(), [&](const auto& r) { return r.uid() == rs.metadata().uid(); }),
              refs->end());
  context_.api.update(*stored);
}

// Adopts `pod` as it is now: it may have changed since the cache saw it.
PodPtr ReplicaSetController::adopt(const apps::ReplicaSet& rs, const sdk::LabelSelector& selector, const core::Pod& pod) {
  auto stored = stored_copy(context_.api, pod);
  if (!stored || controller_of(stored->metadata()) || !selector.matches(stored->metadata().labels())) return nullptr;
  *stored->mutable_metadata()->add_owner_references() =
      controller_reference(rs.metadata(), sdk::resource_type_of<apps::ReplicaSet>());
  return std::make_shared<core::Pod>(context_.api.update(*stored));
}

void ReplicaSetController::create_pods(const apps::ReplicaSet& rs, const std::string& key, int count) {
  core::Pod pod = pod_from_template(rs);
  expectations_.expect(key, count, 0);
  // Slow start: 1, 2, 4 … pods per request; a batch with a failure ends the run, so a create
  // that keeps failing (an invalid template, a namespace being deleted) costs a few pods'
  // worth of work, not hundreds. Each batch is one request (api.createmany).
  int created = 0;
  std::string failure;
  for (int batch = 1; created < count && failure.empty(); batch *= 2) {
    int size = std::min(batch, count - created);
    std::vector<core::Pod> pods(size, pod);
    std::vector<std::pair<sdk::Status, core::Pod>> results;
    try {
      results = context_.api.create_many(rs.metadata().namespace_(), pods);
    } catch (const sdk::Error& e) {
      results.assign(size, {e.status(), core::Pod()});
    }
    for (const auto& [status, made] : results) {
      if (status.ok()) {
        events_.record(rs, "Normal", "SuccessfulCreate", "Created pod: " + made.metadata().name());
        continue;
      }
      expectations_.add_failed(key);
      failure = status.message;
    }
    created += size;
  }
  for (int skipped = count - created; skipped > 0; --skipped) expectations_.add_failed(key);
  if (!failure.empty()) {
    events_.record(rs, "Warning", "FailedCreate", "Error creating: " + failure);
    throw sdk::Error(sdk::Status::Unavailable("creating pods for " + key + ": " + failure));
  }
}

std::vector<PodPtr> ReplicaSetController::related_pods(const apps::ReplicaSet& rs, const std::vector<PodPtr>& own) {
  const auto* owner = controller_of(rs.metadata());
  if (!owner) return own;
  std::vector<PodPtr> related;
  for (const auto& sibling : context_.informers.replica_sets().by_index(sdk::kNamespaceIndex, rs.metadata().namespace_())) {
    const auto* sibling_owner = controller_of(sibling->metadata());
    if (!sibling_owner || sibling_owner->uid() != owner->uid()) continue;
    for (const auto& pod : context_.informers.pods().by_index(kByOwner, sibling->metadata().uid())) {
      const auto* pod_owner = controller_of(pod->metadata());
      if (pod_owner && pod_owner->uid() == sibling->metadata().uid()) related.push_back(pod);
    }
  }
  return related;
}

void ReplicaSetController::delete_pods(const apps::ReplicaSet& rs, const std::string& key, const std::vector<PodPtr>& active,
                                       int count) {
  std::vector<PodPtr> pods = pods_to_delete(active, related_pods(rs, active), count);
  expectations_.expect(key, 0, count);
  parallel_for(count, kCreateConcurrency, [&](int i) {
    const auto& meta = pods[i]->metadata();
    try {
      sdk::ApiDeleteOptions options;
      options.precondition_uid = meta.uid();
      context_.api.erase<core::Pod>(meta.namespace_(), meta.name(), options);
      events_.record(rs, "Normal", "SuccessfulDelete", "Deleted pod: " + meta.name());
    } catch (const sdk::Error& e) {
      expectations_.delete_failed(key);
      if (e.status().code != 404) events_.record(rs, "Warning", "FailedDelete", "Error deleting: " + e.status().message);
    }
  });
}

bool ReplicaSetController::update_status(const apps::ReplicaSet& rs, const std::vector<PodPtr>& pods,
                                         const std::string& create_failure) {
  apps::ReplicaSetStatus status;
  auto template_labels = sdk::LabelSelector::from_map(rs.spec().template_().metadata().labels());
  int min_ready = rs.spec().min_ready_seconds();
  std::optional<std::chrono::seconds> recheck;
  for (const auto& pod : pods) {
    if (!is_active(*pod)) continue;
    status.set_replicas(status.replicas() + 1);
    if (template_labels.matches(pod->metadata().labels())) status.set_fully_labeled_replicas(status.fully_labeled_replicas() + 1);
    if (is_ready(*pod)) status.set_ready_replicas(status.ready_replicas() + 1);
    if (is_available(*pod, min_ready)) status.set_available_replicas(status.available_replicas() + 1);
    else if (auto left = time_until_available(*pod, min_ready)) recheck = recheck ? std::min(*recheck, *left) : *left;
  }
  status.set_observed_generation(rs.metadata().generation());
  if (!create_failure.empty()) {
    auto* c = status.add_conditions();
    c->set_type("ReplicaFailure");
    c->set_status("True");
    c->set_reason("FailedCreate");
    c->set_message(create_failure);
    c->set_last_transition_time(sdk::now_rfc3339());
    for (const auto& old : rs.status().conditions())
      if (old.type() == "ReplicaFailure" && old.message() == create_failure) *c = old;
  }
  if (recheck) enqueue_after(key_of(rs), *recheck);  // minReadySeconds will have passed
  if (google::protobuf::util::MessageDifferencer::Equals(status, rs.status())) return true;
  apps::ReplicaSet next = rs;
  *next.mutable_status() = status;
  for (int attempt = 0;; ++attempt) {
    try {
      context_.api.update(next, "status");
      return true;
    } catch (const sdk::Error& e) {
      // The Deployment controller rescaled it meanwhile: the status we computed from the
      // pods still holds, so put it on the latest version.
      if (e.status().code != 409 || attempt == 2) throw;
      next = context_.api.get<apps::ReplicaSet>(rs.metadata().namespace_(), rs.metadata().name());
      *next.mutable_status() = status;
    }
  }
}

bool ReplicaSetController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto rs = context_.informers.replica_sets().get(ns, name);
  if (!rs) {
    expectations_.forget(key);
    return true;
  }
  std::vector<PodPtr> owned = claim_pods(*rs);
  std::vector<PodPtr> active;
  for (const auto& pod : owned)
    if (is_active(*pod)) active.push_back(pod);
  std::string failure;
  if (expectations_.satisfied(key) && rs->metadata().deletion_timestamp().empty()) {
    int diff = static_cast<int>(active.size()) - desired_replicas(*rs);
    try {
      if (diff < 0) create_pods(*rs, key, std::min(-diff, kBurstReplicas));
      else if (diff > 0) delete_pods(*rs, key, active, std::min(diff, kBurstReplicas));
    } catch (const sdk::Error& e) {
      failure = e.status().message;
    }
  }
  update_status(*rs, owned, failure);
  return failure.empty();
}

}  // namespace skiff::controllers
