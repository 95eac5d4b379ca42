#include "deployment_controller.hpp"

#include <google/protobuf/util/message_differencer.h>
#include <spdlog/logger.h>

#include <algorithm>

#include "deployment_util.hpp"
#include "pod_state.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace {

const sdk::ResourceType& deployment_type() { return sdk::resource_type_of<apps::Deployment>(); }

// Annotations a Deployment passes on to its ReplicaSets (change-cause and the like), not
// its own bookkeeping.
bool copied_annotation(const std::string& key) {
  return key != kRevisionAnnotation && key != kDesiredReplicasAnnotation && key != kMaxReplicasAnnotation &&
         key != "kubectl.kubernetes.io/last-applied-configuration" && key != "deployment.kubernetes.io/revision-history";
}

apps::DeploymentCondition* find_condition(apps::DeploymentStatus& status, const std::string& type) {
  for (auto& c : *status.mutable_conditions())
    if (c.type() == type) return &c;
  return nullptr;
}

// Sets a condition, keeping lastTransitionTime when the status did not change.
void set_condition(apps::DeploymentStatus& status, const std::string& type, const std::string& value,
                   const std::string& reason, const std::string& message, bool touch_update_time = true) {
  std::string now = sdk::now_rfc3339();
  auto* c = find_condition(status, type);
  if (!c) {
    c = status.add_conditions();
    c->set_type(type);
    c->set_last_transition_time(now);
    c->set_last_update_time(now);
  } else if (c->status() != value) {
    c->set_last_transition_time(now);
    c->set_last_update_time(now);
  } else if (touch_update_time && (c->reason() != reason || c->message() != message)) {
    c->set_last_update_time(now);
  }
  c->set_status(value);
  c->set_reason(reason);
  c->set_message(message);
}

}  // namespace

// What one sync works with: the Deployment's ReplicaSets, the new one, the others.
struct DeploymentController::Rollout {
  std::vector<RsPtr> all;
  RsPtr new_rs;
  std::vector<RsPtr> old;
  bool created_new = false;
  std::vector<const apps::ReplicaSet*> all_raw() const {
    std::vector<const apps::ReplicaSet*> out;
    for (const auto& rs : all) out.push_back(rs.get());
    return out;
  }
  void replace(const RsPtr& before, RsPtr after) {
    for (auto* list : {&all, &old})
      for (auto& rs : *list)
        if (rs == before) rs = after;
    if (new_rs == before) new_rs = after;
  }
};

void DeploymentController::register_handlers() {
  context_.informers.deployments().add_handlers([this](const auto& d) { enqueue(key_of(*d)); },
                                                [this](const auto&, const auto& d) { enqueue(key_of(*d)); },
                                                [this](const auto& d) { enqueue(key_of(*d)); });
  context_.informers.replica_sets().add_handlers([this](const auto& rs) { on_replica_set(rs); },
                                                 [this](const auto&, const auto& rs) { on_replica_set(rs); },
                                                 [this](const auto& rs) { on_replica_set(rs); });
  // Recreate waits for the old pods to be gone.
  context_.informers.pods().add_handlers(nullptr, nullptr, [this](const auto& pod) {
    const auto* owner = controller_of(pod->metadata());
    if (!owner || owner->kind() != "ReplicaSet") return;
    if (auto rs = context_.informers.replica_sets().get(pod->metadata().namespace_(), owner->name())) on_replica_set(rs);
  });
}

std::vector<std::string> DeploymentController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& d : context_.informers.deployments().list()) keys.push_back(key_of(*d));
  return keys;
}

void DeploymentController::on_replica_set(const RsPtr& rs) {
  const auto* owner = controller_of(rs->metadata());
  if (owner) {
    if (owner->kind() == "Deployment") enqueue(rs->metadata().namespace_() + "/" + owner->name());
    return;
  }
  for (const auto& d : context_.informers.deployments().by_index(sdk::kNamespaceIndex, rs->metadata().namespace_())) {
    try {
      auto selector = sdk::LabelSelector::from_proto(d->spec().selector());
      if (!selector.empty() && selector.matches(rs->metadata().labels())) enqueue(key_of(*d));
    } catch (const std::exception&) {
    }
  }
}

std::vector<DeploymentController::RsPtr> DeploymentController::claim_replica_sets(const apps::Deployment& d) {
  auto selector = sdk::LabelSelector::from_proto(d.spec().selector());
  std::vector<RsPtr> owned;
  for (const auto& rs : context_.informers.replica_sets().by_index(sdk::kNamespaceIndex, d.metadata().namespace_())) {
    const auto* owner = controller_of(rs->metadata());
    bool matches = !selector.empty() && selector.matches(rs->metadata().labels());
    if (owner && owner->uid() == d.metadata().uid()) {
      if (matches) owned.push_back(rs);
      continue;
    }
    if (owner || !matches || !d.metadata().deletion_timestamp().empty()) continue;
    apps::ReplicaSet adopted = *rs;
    *adopted.mutable_metadata()->add_owner_references() = controller_reference(d.metadata(), deployment_type());
    owned.push_back(std::make_shared<apps::ReplicaSet>(context_.api.update(adopted)));
  }
  return owned;
}

DeploymentController::RsPtr DeploymentController::new_replica_set(const apps::Deployment& d, Rollout& r, bool create) {
  std::int64_t max_old_revision = 0;
  RsPtr existing;
  for (const auto& rs : r.all) {
    if (same_template(rs->spec().template_(), d.spec().template_())) existing = rs;
    else max_old_revision = std::max(max_old_revision, revision_of(*rs));
  }
  std::string revision = std::to_string(max_old_revision + 1);
  auto [surge, unavailable] = surge_and_unavailable(d);
  if (existing) {
    // Back to an older template (a rollback): it becomes the newest revision again.
    if (revision_of(*existing) < max_old_revision + 1 || !existing->metadata().annotations().count(kDesiredReplicasAnnotation)) {
      apps::ReplicaSet updated = *existing;
      auto& annotations = *updated.mutable_metadata()->mutable_annotations();
      if (revision_of(*existing) < max_old_revision + 1) annotations[kRevisionAnnotation] = revision;
      annotations[kDesiredReplicasAnnotation] = std::to_string(replicas_of(d));
      annotations[kMaxReplicasAnnotation] = std::to_string(replicas_of(d) + (is_rolling_update(d) ? surge : 0));
      auto stored = std::make_shared<apps::ReplicaSet>(context_.api.update(updated));
      r.replace(existing, stored);
      existing = stored;
    }
    return existing;
  }
  if (!create) return nullptr;

  std::int32_t collisions = d.status().has_collision_count() ? d.status().collision_count() : 0;
  std::string hash = pod_template_hash(d.spec().template_(), collisions);
  apps::ReplicaSet rs;
  auto* meta = rs.mutable_metadata();
  meta->set_name(d.metadata().name() + "-" + hash);
  meta->set_namespace_(d.metadata().namespace_());
  *meta->add_owner_references() = controller_reference(d.metadata(), deployment_type());
  for (const auto& [k, v] : d.metadata().annotations())
    if (copied_annotation(k)) (*meta->mutable_annotations())[k] = v;
  (*meta->mutable_annotations())[kRevisionAnnotation] = revision;
  (*meta->mutable_annotations())[kDesiredReplicasAnnotation] = std::to_string(replicas_of(d));
  (*meta->mutable_annotations())[kMaxReplicasAnnotation] =
      std::to_string(replicas_of(d) + (is_rolling_update(d) ? surge : 0));
  *rs.mutable_spec()->mutable_template_() = d.spec().template_();
  (*rs.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())[kPodTemplateHashLabel] = hash;
  *meta->mutable_labels() = rs.spec().template_().metadata().labels();
  *rs.mutable_spec()->mutable_selector() = d.spec().selector();
  (*rs.mutable_spec()->mutable_selector()->mutable_match_labels())[kPodTemplateHashLabel] = hash;
  rs.mutable_spec()->set_min_ready_seconds(d.spec().min_ready_seconds());
  rs.mutable_spec()->set_replicas(0);
  if (is_rolling_update(d)) {
    std::vector<const apps::ReplicaSet*> all = r.all_raw();
    all.push_back(&rs);
    rs.mutable_spec()->set_replicas(new_rs_replicas(d, all, rs));
  }
  RsPtr created;
  try {
    created = std::make_shared<apps::ReplicaSet>(context_.api.create(rs));
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;
    // Someone else's ReplicaSet has this name: count a collision, hash again next time.
    apps::Deployment next = d;
    next.mutable_status()->set_collision_count(collisions + 1);
    context_.api.update(next, "status");
    throw sdk::Error(sdk::Status::Conflict("hash collision for " + meta->name() + "; retrying with another hash"));
  }
  events_.record(d, "Normal", "ScalingReplicaSet",
                 "Scaled up replica set " + created->metadata().name() + " to " + std::to_string(replicas_of(*created)) +
                     " from 0");
  r.all.push_back(created);
  r.created_new = true;
  return created;
}

bool DeploymentController::scale(const apps::Deployment& d, const RsPtr& rs, int replicas, Rollout& r) {
  auto [surge, unavailable] = surge_and_unavailable(d);
  std::string desired = std::to_string(replicas_of(d));
  std::string max = std::to_string(replicas_of(d) + (is_rolling_update(d) ? surge : 0));
  const auto& annotations = rs->metadata().annotations();
  auto annotation = [&](const char* key) {
    auto it = annotations.find(key);
    return it == annotations.end() ? std::string() : it->second;
  };
  const int before = replicas_of(*rs);  // `rs` is r's entry: r.replace below makes it the stored one
  bool resize = before != replicas;
  if (!resize && annotation(kDesiredReplicasAnnotation) == desired && annotation(kMaxReplicasAnnotation) == max) return false;
  apps::ReplicaSet updated = *rs;
  updated.mutable_spec()->set_replicas(replicas);
  (*updated.mutable_metadata()->mutable_annotations())[kDesiredReplicasAnnotation] = desired;
  (*updated.mutable_metadata()->mutable_annotations())[kMaxReplicasAnnotation] = max;
  auto stored = std::make_shared<apps::ReplicaSet>(context_.api.update(updated));
  r.replace(rs, stored);
  if (resize)
    events_.record(d, "Normal", "ScalingReplicaSet",
                   std::string(replicas > before ? "Scaled up" : "Scaled down") + " replica set " +
                       rs->metadata().name() + " to " + std::to_string(replicas) + " from " + std::to_string(before));
  return resize;
}

// A rolling update step: grow the new ReplicaSet within maxSurge, shrink old ones within
// maxUnavailable (unhealthy pods first). One direction per sync, as Kubernetes does.
bool DeploymentController::rolling_update(const apps::Deployment& d, Rollout& r) {
  if (!r.new_rs) r.new_rs = new_replica_set(d, r, true);
  r.old.clear();
  for (const auto& rs : r.all)
    if (rs != r.new_rs) r.old.push_back(rs);
  int target = new_rs_replicas(d, r.all_raw(), *r.new_rs);
  if (scale(d, r.new_rs, target, r)) return true;
  return scale_old_down(d, r);
}

bool DeploymentController::scale_old_down(const apps::Deployment& d, Rollout& r) {
  int old_pods = 0;
  for (const auto& rs : r.old) old_pods += replicas_of(*rs);
  if (old_pods == 0) return false;
  auto [surge, unavailable] = surge_and_unavailable(d);
  int all_pods = 0;
  for (const auto& rs : r.all) all_pods += replicas_of(*rs);
  int min_available = replicas_of(d) - unavailable;
  int new_unavailable = replicas_of(*r.new_rs) - r.new_rs->status().available_replicas();
  int max_scaled_down = all_pods - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;

  std::vector<RsPtr> old = r.old;
  std::sort(old.begin(), old.end(), [](const RsPtr& a, const RsPtr& b) {
    return a->metadata().creation_timestamp() < b->metadata().creation_timestamp();
  });
  bool scaled = false;
  // First the old pods that are not available anyway: removing them costs no availability.
  int budget = max_scaled_down;
  for (const auto& rs : old) {
    if (budget <= 0) break;
    int unhealthy = replicas_of(*rs) - rs->status().available_replicas();
    if (replicas_of(*rs) == 0 || unhealthy <= 0) continue;
    int down = std::min(budget, unhealthy);
    scaled |= scale(d, rs, replicas_of(*rs) - down, r);
    budget -= down;
  }
  if (scaled) return true;
  // Then available ones, while enough stay available.
  int available = 0;
  for (const auto& rs : r.all) available += rs->status().available_replicas();
  int total_down = std::min(available - min_available, budget);
  for (const auto& rs : old) {
    if (total_down <= 0) break;
    if (replicas_of(*rs) == 0) continue;
    int down = std::min(replicas_of(*rs), total_down);
    scaled |= scale(d, rs, replicas_of(*rs) - down, r);
    total_down -= down;
  }
  return scaled;
}

// Recreate: every old pod gone before the new ReplicaSet gets any.
bool DeploymentController::recreate(const apps::Deployment& d, Rollout& r) {
  r.new_rs = new_replica_set(d, r, false);
  r.old.clear();
  for (const auto& rs : r.all)
    if (rs != r.new_rs) r.old.push_back(rs);
  bool scaled_down = false;
  for (const auto& rs : r.old)
    if (replicas_of(*rs) > 0) scaled_down |= scale(d, rs, 0, r);
  if (scaled_down) return true;
  for (const auto& rs : r.old)
    for (const auto& pod : context_.informers.pods().by_index(kByOwner, rs->metadata().uid()))
      if (pod->status().phase() != "Succeeded" && pod->status().phase() != "Failed") return false;  // wait for them
  if (!r.new_rs) r.new_rs = new_replica_set(d, r, true);
  return scale(d, r.new_rs, replicas_of(d), r);
}

// The Deployment's size changed outside a rollout step: spread the change over the active
// ReplicaSets in proportion to their size (the newest takes the rounding).
bool DeploymentController::proportional_scale(const apps::Deployment& d, Rollout& r) {
  std::vector<RsPtr> active;
  for (const auto& rs : r.all)
    if (replicas_of(*rs) > 0) active.push_back(rs);
  if (active.empty()) return false;
  if (active.size() == 1) return scale(d, active.front(), replicas_of(d), r);
  auto [surge, unavailable] = surge_and_unavailable(d);
  int allowed = replicas_of(d) + (is_rolling_update(d) ? surge : 0);
  int current = 0;
  for (const auto& rs : active) current += replicas_of(*rs);
  int delta = allowed - current;
  if (delta == 0) return false;
  std::sort(active.begin(), active.end(), [](const RsPtr& a, const RsPtr& b) {
    return a->metadata().creation_timestamp() > b->metadata().creation_timestamp();
  });
  std::vector<int> sizes;
  int given = 0;
  for (const auto& rs : active) {
    int share = current == 0 ? 0 : replicas_of(*rs) * delta / current;
    sizes.push_back(replicas_of(*rs) + share);
    given += share;
  }
  sizes[0] += delta - given;
  bool scaled = false;
  for (std::size_t i = 0; i < active.size(); ++i) scaled |= scale(d, active[i], std::max(0, sizes[i]), r);
  return scaled;
}

void DeploymentController::cleanup(const apps::Deployment& d, Rollout& r) {
  int limit = d.spec().has_revision_history_limit() ? d.spec().revision_history_limit() : 10;
  std::vector<RsPtr> idle;
  for (const auto& rs : r.old)
    if (replicas_of(*rs) == 0 && rs->status().replicas() == 0 && rs->metadata().deletion_timestamp().empty())
      idle.push_back(rs);
  if (static_cast<int>(idle.size()) <= limit) return;
  std::sort(idle.begin(), idle.end(), [](const RsPtr& a, const RsPtr& b) { return revision_of(*a) < revision_of(*b); });
  for (std::size_t i = 0; i < idle.size() - static_cast<std::size_t>(limit); ++i) {
    try {
      context_.api.erase<apps::ReplicaSet>(idle[i]->metadata().namespace_(), idle[i]->metadata().name());
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) throw;
    }
  }
}

void DeploymentController::sync_status(const apps::Deployment& d, Rollout& r) {
  apps::DeploymentStatus status = d.status();
  int total = 0, spec_total = 0, ready = 0, available = 0;
  for (const auto& rs : r.all) {
    total += rs->status().replicas();
    spec_total += replicas_of(*rs);
    ready += rs->status().ready_replicas();
    available += rs->status().available_replicas();
  }
  int replicas = replicas_of(d);
  int updated = r.new_rs ? r.new_rs->status().replicas() : 0;
  status.set_observed_generation(d.metadata().generation());
  status.set_replicas(total);
  status.set_updated_replicas(updated);
  status.set_ready_replicas(ready);
  status.set_available_replicas(available);
  status.set_unavailable_replicas(std::max(0, spec_total - available));

  auto [surge, unavailable] = surge_and_unavailable(d);
  if (available >= replicas - unavailable)
    set_condition(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
  else
    set_condition(status, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");

  std::string rs_name = r.new_rs ? r.new_rs->metadata().name() : "";
  bool complete = r.new_rs && updated == replicas && total == replicas && available == replicas &&
                  replicas_of(*r.new_rs) == replicas;
  const auto& old = d.status();
  bool progressed = updated > old.updated_replicas() || ready > old.ready_replicas() ||
                    available > old.available_replicas() || total < old.replicas();
  int deadline = d.spec().has_progress_deadline_seconds() ? d.spec().progress_deadline_seconds() : 600;
  if (d.spec().paused()) {
    set_condition(status, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused");
  } else if (complete) {
    set_condition(status, "Progressing", "True", "NewReplicaSetAvailable",
                  "ReplicaSet \"" + rs_name + "\" has successfully progressed.");
  } else if (r.created_new) {
    set_condition(status, "Progressing", "True", "NewReplicaSetCreated", "Created new replica set \"" + rs_name + "\"");
  } else if (progressed || !find_condition(status, "Progressing") ||
             find_condition(status, "Progressing")->reason() == "DeploymentPaused") {
    auto* c = find_condition(status, "Progressing");
    std::string reason = c && c->reason() == "DeploymentPaused" ? "DeploymentResumed" : "ReplicaSetUpdated";
    set_condition(status, "Progressing", "True", reason,
                  reason == "DeploymentResumed" ? "Deployment is resumed"
                                                : "ReplicaSet \"" + rs_name + "\" is progressing.");
    find_condition(status, "Progressing")->set_last_update_time(sdk::now_rfc3339());
  } else if (auto* c = find_condition(status, "Progressing"); c && c->status() == "True") {
    // No progress since lastUpdateTime: past the deadline, the rollout has failed.
    auto since = sdk::parse_rfc3339(c->last_update_time());
    if (since && sdk::WallClock::now() >= *since + std::chrono::seconds(deadline))
      set_condition(status, "Progressing", "False", "ProgressDeadlineExceeded",
                    "ReplicaSet \"" + rs_name + "\" has timed out progressing.");
  }
  // Look again when the deadline would pass, in case nothing else happens by then.
  if (auto* c = find_condition(status, "Progressing"); c && c->status() == "True" && !complete)
    if (auto since = sdk::parse_rfc3339(c->last_update_time()))
      enqueue_after(key_of(d), std::chrono::duration_cast<std::chrono::milliseconds>(
                                   *since + std::chrono::seconds(deadline) - sdk::WallClock::now()) +
                                   std::chrono::milliseconds(100));

  std::string revision;
  if (r.new_rs) revision = std::to_string(revision_of(*r.new_rs));
  auto current = d.metadata().annotations().find(kRevisionAnnotation);
  if (r.new_rs && (current == d.metadata().annotations().end() || current->second != revision)) {
    // The Deployment carries its current revision, as kubectl rollout history expects.
    apps::Deployment next = d;
    (*next.mutable_metadata()->mutable_annotations())[kRevisionAnnotation] = revision;
    apps::Deployment stored = context_.api.update(next);
    *stored.mutable_status() = status;
    context_.api.update(stored, "status");
    return;
  }
  if (google::protobuf::util::MessageDifferencer::Equals(status, d.status())) return;
  apps::Deployment next = d;
  *next.mutable_status() = status;
  context_.api.update(next, "status");
}

bool DeploymentController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto d = context_.informers.deployments().get(ns, name);
  if (!d || !d->metadata().deletion_timestamp().empty()) return true;
  Rollout r;
  r.all = claim_replica_sets(*d);
  r.new_rs = new_replica_set(*d, r, false);
  for (const auto& rs : r.all)
    if (rs != r.new_rs) r.old.push_back(rs);

  // A change of spec.replicas alone (kubectl scale) while paused or with one active RS.
  bool scaling_event = false;
  for (const auto& rs : r.all) {
    if (replicas_of(*rs) == 0) continue;
    auto it = rs->metadata().annotations().find(kDesiredReplicasAnnotation);
    if (it != rs->metadata().annotations().end() && it->second != std::to_string(replicas_of(*d))) scaling_event = true;
  }
  if (d->spec().paused() || scaling_event) {
    proportional_scale(*d, r);
    if (d->spec().paused()) {
      sync_status(*d, r);
      return true;
    }
  }
  if (is_rolling_update(*d)) rolling_update(*d, r);
  else recreate(*d, r);
  bool complete = r.new_rs && r.new_rs->status().available_replicas() == replicas_of(*d) &&
                  replicas_of(*r.new_rs) == replicas_of(*d);
  if (complete) cleanup(*d, r);
  sync_status(*d, r);
  return true;
}

}  // namespace skiff::controllers
