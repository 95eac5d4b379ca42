#include "garbage_collector.hpp"

#include <spdlog/logger.h>

#include <algorithm>

#include "skiff/sdk/object_meta.hpp"

namespace skiff::controllers {

namespace {

constexpr const char* kForeground = "foregroundDeletion";
constexpr const char* kOrphan = "orphan";

bool has_finalizer(const api::meta::v1::ObjectMeta& meta, const std::string& finalizer) {
  return std::find(meta.finalizers().begin(), meta.finalizers().end(), finalizer) != meta.finalizers().end();
}

std::string group_of(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

// Work keys: "dependent|<resource>|<ns>/<name>" or "owner|<resource>|<ns>/<name>".
std::string work_key(const char* role, const sdk::ResourceType& type, const google::protobuf::Message& object) {
  return std::string(role) + "|" + type.resource() + "|" + key_of(object);
}

}  // namespace

GarbageCollector::GarbageCollector(ControllerContext& context) : Controller(context, "garbage-collector") {
  for (const char* resource : {"deployments.apps", "replicasets.apps", "pods", "services", "endpoints", "configmaps",
                               "secrets", "ingresses.networking.k8s.io", "endpointslices.discovery.k8s.io",
                               "daemonsets.apps", "statefulsets.apps", "controllerrevisions.apps", "persistentvolumeclaims",
                               "jobs.batch", "cronjobs.batch"})
    types_.push_back(sdk::find_resource(resource));
}

void GarbageCollector::register_handlers() {
  for (const auto* type : types_) watch(*type);
}

void GarbageCollector::watch(const sdk::ResourceType& type) {
  sdk::EventHandlers handlers;
  handlers.on_add = [this, &type](const sdk::ObjectPtr& o) { on_object(type, o); };
  handlers.on_update = [this, &type](const sdk::ObjectPtr&, const sdk::ObjectPtr& o) { on_object(type, o); };
  handlers.on_delete = [this](const sdk::ObjectPtr& o) { on_deleted(o); };
  context_.informers.of(type).add_handlers(std::move(handlers));
}

void GarbageCollector::on_object(const sdk::ResourceType& type, const sdk::ObjectPtr& object) {
  const auto& meta = sdk::meta_of(*object);
  if (!meta.owner_references().empty()) enqueue(work_key("dependent", type, *object));
  if (!meta.deletion_timestamp().empty() && (has_finalizer(meta, kForeground) || has_finalizer(meta, kOrphan)))
    enqueue(work_key("owner", type, *object));
}

void GarbageCollector::on_deleted(const sdk::ObjectPtr& object) {
  // Its dependents may now be orphans, and a foreground owner may be waiting for this one.
  for (const auto& ref : sdk::meta_of(*object).owner_references()) {
    const auto* owner_type = sdk::find_resource_by_kind(group_of(ref.api_version()), ref.kind());
    if (owner_type)
      enqueue("owner|" + owner_type->resource() + "|" +
              (owner_type->namespaced ? sdk::meta_of(*object).namespace_() + "/" : "") + ref.name());
  }
  for (const auto& [type, dependent] : dependents_of(sdk::meta_of(*object).uid()))
    enqueue(work_key("dependent", *type, *dependent));
}

std::vector<std::pair<const sdk::ResourceType*, sdk::ObjectPtr>> GarbageCollector::dependents_of(const std::string& uid) {
  std::vector<std::pair<const sdk::ResourceType*, sdk::ObjectPtr>> out;
  for (const auto* type : types_)
    for (const auto& o : context_.informers.of(*type).by_index(kByOwner, uid)) out.emplace_back(type, o);
  return out;
}

std::vector<std::string> GarbageCollector::initial_keys() {
  std::vector<std::string> keys;
  for (const auto* type : types_)
    for (const auto& o : context_.informers.of(*type).list()) {
      const auto& meta = sdk::meta_of(*o);
      if (!meta.owner_references().empty()) keys.push_back(work_key("dependent", *type, *o));
      if (!meta.deletion_timestamp().empty()) keys.push_back(work_key("owner", *type, *o));
    }
  return keys;
}

OwnerState GarbageCollector::owner_state(const std::string& ns, const api::meta::v1::OwnerReference& ref) {
  const auto* type = sdk::find_resource_by_kind(group_of(ref.api_version()), ref.kind());
  if (!type) return OwnerState::Present;  // a kind Skiff does not serve: never collect on its account
  std::string owner_ns = type->namespaced ? ns : "";
  // The cache answers the common case (the owner is there); only a missing or departing
  // owner is confirmed with a live read.
  if (std::find(types_.begin(), types_.end(), type) != types_.end())
    if (auto cached = context_.informers.of(*type).get(owner_ns, ref.name())) {
      const auto& meta = sdk::meta_of(*cached);
      if (meta.uid() == ref.uid() && meta.deletion_timestamp().empty()) return OwnerState::Present;
    }
  std::string bytes;
  try {
    // A live read, not the cache: deleting a dependent because of a stale cache is not undone.
    bytes = context_.api.get_object(*type, owner_ns, ref.name());
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) return OwnerState::Absent;
    throw;
  }
  auto owner = type->new_object();
  owner->ParseFromString(bytes);
  const auto& meta = sdk::meta_of(*owner);
  if (meta.uid() != ref.uid()) return OwnerState::Absent;  // same name, another object
  if (!meta.deletion_timestamp().empty() && has_finalizer(meta, kForeground)) return OwnerState::DeletingInForeground;
  return OwnerState::Present;
}

// The object as stored, to change and write back: cached copies may be trimmed by the
// informers' transforms (shared_informers.cpp), and a full update must not lose what they
// dropped. nullptr when it is gone or was replaced by another object of the same name.
std::unique_ptr<google::protobuf::Message> GarbageCollector::stored_copy(const sdk::ResourceType& type,
                                                                         const google::protobuf::Message& cached) {
  const auto& meta = sdk::meta_of(cached);
  auto stored = type.new_object();
  try {
    if (!stored->ParseFromString(context_.api.get_object(type, meta.namespace_(), meta.name()))) return nullptr;
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) return nullptr;
    throw;
  }
  if (sdk::meta_of(*stored).uid() != meta.uid()) return nullptr;
  return stored;
}

bool GarbageCollector::sync_dependent(const sdk::ResourceType& type, const std::string& ns, const std::string& name) {
  auto object = context_.informers.of(type).get(ns, name);
  if (!object) return true;
  const auto& meta = sdk::meta_of(*object);
  if (meta.owner_references().empty() || !meta.deletion_timestamp().empty()) return true;
  std::vector<OwnerState> states;
  for (const auto& ref : meta.owner_references()) states.push_back(owner_state(ns, ref));
  bool waiting = std::find(states.begin(), states.end(), OwnerState::DeletingInForeground) != states.end();
  OwnerDecision decision = decide_for_dependent(meta, states, waiting && !dependents_of(meta.uid()).empty());
  if (decision.action == OwnerDecision::Action::Delete) {
    sdk::ApiDeleteOptions options;
    options.precondition_uid = meta.uid();
    options.propagation_policy = decision.propagation;
    try {
      context_.api.erase_object(type, ns, name, options);
      context_.log.debug("garbage-collector: deleted {} {}/{} (no owner of it remains)", type.kind, ns, name);
    } catch (const sdk::Error& e) {
      if (e.status().code != 404 && e.status().code != 409) throw;
    }
    return true;
  }
  if (decision.action == OwnerDecision::Action::Keep) return true;
  // Solid owners remain: only the references to the others go.
  const auto& gone = decision.remove_uids;
  auto next = stored_copy(type, *object);
  if (!next) return true;  // gone or replaced meanwhile: its own events bring it back
  auto* refs = sdk::mutable_meta_of(*next)->mutable_owner_references();
  refs->erase(std::remove_if(refs->begin(), refs->end(),
                             [&](const auto& r) { return std::find(gone.begin(), gone.end(), r.uid()) != gone.end(); }),
              refs->end());
  context_.api.update_object(type, *next);
  return true;
}

void GarbageCollector::remove_finalizer(const sdk::ResourceType& type, const google::protobuf::Message& object,
                                        const std::string& finalizer) {
  auto next = stored_copy(type, object);
  if (!next) return;
  auto* finalizers = sdk::mutable_meta_of(*next)->mutable_finalizers();
  finalizers->erase(std::remove(finalizers->begin(), finalizers->end(), finalizer), finalizers->end());
  try {
    context_.api.update_object(type, *next);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
  }
}

bool GarbageCollector::sync_owner(const sdk::ResourceType& type, const std::string& ns, const std::string& name) {
  auto owner = context_.informers.of(type).get(ns, name);
  if (!owner) return true;
  const auto& meta = sdk::meta_of(*owner);
  if (meta.deletion_timestamp().empty()) return true;
  auto dependents = dependents_of(meta.uid());
  if (has_finalizer(meta, kOrphan)) {
    for (const auto& [dtype, dependent] : dependents) {
      auto next = stored_copy(*dtype, *dependent);
      if (!next) continue;
      auto* refs = sdk::mutable_meta_of(*next)->mutable_owner_references();
      refs->erase(std::remove_if(refs->begin(), refs->end(), [&](const auto& r) { return r.uid() == meta.uid(); }),
                  refs->end());
      context_.api.update_object(*dtype, *next);
    }
    remove_finalizer(type, *owner, kOrphan);
    return true;
  }
  if (!has_finalizer(meta, kForeground)) return true;
  bool blocked = false;
  for (const auto& [dtype, dependent] : dependents) {
    const auto& dmeta = sdk::meta_of(*dependent);
    bool blocking = false;
    for (const auto& ref : dmeta.owner_references())
      if (ref.uid() == meta.uid() && ref.block_owner_deletion()) blocking = true;
    if (!blocking) continue;
    blocked = true;
    if (dmeta.deletion_timestamp().empty()) enqueue(work_key("dependent", *dtype, *dependent));
  }
  if (blocked) return true;  // the dependents' deletions will bring us back here
  remove_finalizer(type, *owner, kForeground);
  return true;
}

bool GarbageCollector::sync(const std::string& key) {
  auto first = key.find('|'), second = key.find('|', first + 1);
  std::string role = key.substr(0, first);
  const sdk::ResourceType* type = sdk::find_resource(key.substr(first + 1, second - first - 1));
  if (!type) return true;
  auto [ns, name] = split_key(key.substr(second + 1));
  return role == "owner" ? sync_owner(*type, ns, name) : sync_dependent(*type, ns, name);
}

}  // namespace skiff::controllers
