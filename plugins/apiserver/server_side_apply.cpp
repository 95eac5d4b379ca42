// Kubernetes' Updater.Apply with its lastApplied manager and updater around it.
#include "server_side_apply.hpp"

#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "managed_fields.hpp"
#include "object_codec.hpp"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/time.hpp"
#include "typed_fields.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace pb = google::protobuf;

constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";
// Only kubectl's own server-side manager migrates from (and keeps) client-side apply's annotation.
constexpr const char* kKubectlManager = "kubectl";

struct Conflict {
  std::string manager;  // as a conflict names it
  FieldSet fields;
};

json::value* annotation_slot(json::value& object, const char* key) {
  auto* meta = object.is_object() ? object.as_object().if_contains("metadata") : nullptr;
  auto* annotations = meta && meta->is_object() ? meta->as_object().if_contains("annotations") : nullptr;
  return annotations && annotations->is_object() ? annotations->as_object().if_contains(key) : nullptr;
}

[[noreturn]] void throw_conflicts(const std::vector<Conflict>& conflicts) {
  std::map<std::string, std::vector<std::string>> by_manager;
  api::meta::v1::StatusDetails details;
  std::size_t count = 0;
  for (const auto& c : conflicts) {
    for (const auto& path : c.fields.members()) {
      by_manager[c.manager].push_back(path_text(path));
      auto* cause = details.add_causes();
      cause->set_reason("FieldManagerConflict");
      cause->set_message("conflict with " + c.manager);
      cause->set_field(path_text(path));
      ++count;
    }
  }
  std::string message;
  if (count == 1) {
    message = "Apply failed with 1 conflict: conflict with " + by_manager.begin()->first + ": " +
              by_manager.begin()->second.front();
  } else {
    message = "Apply failed with " + std::to_string(count) + " conflicts: ";
    bool first = true;
    for (const auto& [manager, paths] : by_manager) {
      message += (first ? "" : "\n") + std::string("conflicts with ") + manager + ":";
      first = false;
      for (const auto& p : paths) message += "\n- " + p;
    }
  }
  throw ApiError(sdk::Status{409, "Conflict", message}, details);
}

// Conflicts the migration from client-side apply allows: fields of the last-applied
// configuration, which kubectl's server-side apply takes over (Kubernetes' lastAppliedManager).
std::vector<Conflict> not_migrated(std::vector<Conflict> conflicts, json::value& live, const sdk::ResourceType& type,
                                   const std::string& manager) {
  json::value* annotation = manager == kKubectlManager ? annotation_slot(live, kLastApplied) : nullptr;
  if (!annotation || !annotation->is_string()) return conflicts;
  boost::system::error_code ec;
  json::value last = json::parse(annotation->as_string(), ec);
  if (ec) return conflicts;
  FieldSet allowed = fields_of(last, type.descriptor);
  for (auto& c : conflicts) c.fields = c.fields.minus(allowed);
  std::erase_if(conflicts, [](const Conflict& c) { return c.fields.empty(); });
  return conflicts;
}

// kubectl's server-side apply keeps client-side apply's annotation in step with what it
// applied, so a later `kubectl apply` (client-side) computes its patch from the right base.
// The annotation stays even when the applier owned it (kubectl's own client-side upgrade
// hands the annotation's field over too) and removal took it.
void keep_last_applied(json::value& merged, json::value& live, const json::value& config, const std::string& manager) {
  if (manager != kKubectlManager || !annotation_slot(live, kLastApplied)) return;
  json::value& meta = merged.as_object()["metadata"];
  if (!meta.is_object()) meta = json::object{};
  json::value& annotations = meta.as_object()["annotations"];
  if (!annotations.is_object()) annotations = json::object{};
  json::value* slot = &annotations.as_object()[kLastApplied];
  json::value applied = config;
  if (auto* meta = applied.as_object().if_contains("metadata"); meta && meta->is_object()) {
    if (auto* annotations = meta->as_object().if_contains("annotations"); annotations && annotations->is_object()) {
      annotations->as_object().erase(kLastApplied);
      if (annotations->as_object().empty()) meta->as_object().erase("annotations");
    }
  }
  *slot = json::serialize(applied) + "\n";
}

void require_manager(const ApplyRequest& request) {
  if (request.manager.empty())
    throw ApiError(sdk::Status::BadRequest(
        "PATCH requests with application/apply-patch+yaml require a fieldManager: add ?fieldManager=<name> "
        "(kubectl apply --server-side sends one)"));
}

}  // namespace

MessagePtr applied_object(const sdk::ResourceType& type, const pb::Message& current, const json::value& config,
                          const ApplyRequest& request, std::vector<std::string>& warnings) {
  if (!config.is_object()) throw ApiError(sdk::Status::BadRequest("an applied configuration must be one object"));
  json::value live = sdk::to_k8s_object(current, type);
  std::vector<ManagerEntry> entries = managers_of(sdk::meta_of(current));
  ManagerEntry mine{request.manager, "Apply", type.api_version(), "", request.subresource, {}};
  auto own = std::find_if(entries.begin(), entries.end(), [&](const ManagerEntry& e) { return e.same_owner(mine); });
  bool existed = own != entries.end();
  if (!existed) own = entries.insert(entries.end(), mine);
  std::size_t own_index = static_cast<std::size_t>(own - entries.begin());
  FieldSet last = entries[own_index].fields;
  entries[own_index].fields = ownable_part(fields_of(config, type.descriptor), type, request.subresource);

  // Fields applied last time and no longer: gone, unless some manager (this one included) owns them.
  FieldSet owned;
  for (const auto& e : entries) owned = owned.united(e.fields);
  json::value merged = merge_applied(live, config, type.descriptor);
  merged = remove_fields(std::move(merged), last.minus(owned), owned, type.descriptor);

  FieldChanges changes = compare_fields(live, merged, type.descriptor);
  FieldSet changed = ownable_part(changes.changed(), type, request.subresource);
  FieldSet removed = ownable_part(changes.removed, type, request.subresource);
  std::vector<Conflict> conflicts;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i == own_index) continue;
    FieldSet contested = entries[i].fields.intersected(changed);
    if (!contested.empty()) conflicts.push_back({entries[i].conflict_name(), contested});
  }
  if (!conflicts.empty() && !request.force) {
    auto refused = not_migrated(conflicts, live, type, request.manager);
    if (!refused.empty()) throw_conflicts(refused);
  }
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (i != own_index) entries[i].fields = entries[i].fields.minus(changed).minus(removed);
  ManagerEntry& applier = entries[own_index];
  if (!existed || !changes.empty() || applier.fields != last) applier.time = sdk::now_rfc3339();
  applier.api_version = type.api_version();

  keep_last_applied(merged, live, config, request.manager);
  MessagePtr next = decode_object(type, merged, request.field_validation, warnings);
  set_managers(*sdk::mutable_meta_of(*next), std::move(entries));
  return next;
}

ApplyOutcome server_side_apply(ApiCore& api, const sdk::ResourceType& type, const json::value& config,
                               const ApplyRequest& request, std::vector<std::string>& warnings) {
  require_manager(request);
  if (!config.is_object()) throw ApiError(sdk::Status::BadRequest("an applied configuration must be one object"));
  try {
    MessagePtr updated = api.modify(type, request.namespace_, request.name, [&](const pb::Message& current) {
      warnings.clear();
      return applied_object(type, current, config, request, warnings);
    }, request.subresource, request.options);
    return {updated, false};
  } catch (const ApiError& e) {
    if (e.status().code != 404 || !request.subresource.empty()) throw;
  }
  // Server-side apply creates what does not exist yet; the applier owns what it sent.
  warnings.clear();
  MessagePtr object = decode_object(type, config, request.field_validation, warnings);
  auto* meta = sdk::mutable_meta_of(*object);
  if (meta->name().empty()) meta->set_name(request.name);
  ManagerEntry mine{request.manager, "Apply", type.api_version(), sdk::now_rfc3339(), request.subresource,
                    ownable_part(fields_of(config, type.descriptor), type, request.subresource)};
  set_managers(*meta, {mine});
  return {api.create(type, request.namespace_, object, request.options), true};
}

}  // namespace skiff::apiserver
