// Kubernetes' Updater.Update: the manager's set gains what changed and loses what was
// removed; every other manager loses both (an update always wins, it never conflicts).
#include "field_tracking.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "managed_fields.hpp"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/time.hpp"
#include "typed_fields.hpp"

namespace skiff::apiserver {
namespace {

namespace pb = google::protobuf;

void record_update(const sdk::ResourceType& type, const std::string& manager, const std::string& subresource,
                   const pb::Message* old, pb::Message& next) {
  auto* meta = sdk::mutable_meta_of(next);
  std::vector<ManagerEntry> entries = managers_of(*meta);
  boost::json::value before = old ? sdk::to_k8s_json(*old) : boost::json::object{};
  FieldChanges changes = compare_fields(before, sdk::to_k8s_json(next), type.descriptor);
  FieldSet changed = ownable_part(changes.changed(), type, subresource);
  FieldSet removed = ownable_part(changes.removed, type, subresource);
  if (changed.empty() && removed.empty()) return;
  ManagerEntry mine{manager, "Update", type.api_version(), "", subresource, {}};
  auto own = std::find_if(entries.begin(), entries.end(), [&](const ManagerEntry& e) { return e.same_owner(mine); });
  if (own == entries.end()) own = entries.insert(entries.end(), mine);
  for (auto& e : entries)
    if (&e != &*own) e.fields = e.fields.minus(changed).minus(removed);
  own->fields = own->fields.minus(removed).united(changed);
  own->time = sdk::now_rfc3339();
  own->api_version = type.api_version();
  set_managers(*meta, std::move(entries));
}

}  // namespace

std::function<void(const pb::Message*, pb::Message&)> track_update_fields(const sdk::ResourceType& type,
                                                                           std::string manager,
                                                                           std::string subresource) {
  return [&type, manager = std::move(manager), subresource = std::move(subresource)](const pb::Message* old,
                                                                                      pb::Message& next) {
    record_update(type, manager, subresource, old, next);
  };
}

}  // namespace skiff::apiserver
