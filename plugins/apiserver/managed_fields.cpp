// Reading, filtering and writing managedFields entries; the ownership rules live in
// field_tracking.cpp (updates) and server_side_apply.cpp (applies).
#include "managed_fields.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include <boost/json.hpp>

#include "api_core.hpp"
#include "api_error.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

// Kubernetes' DefaultMaxUpdateManagers.
constexpr std::size_t kMaxUpdateManagers = 10;
constexpr const char* kAncientChanges = "ancient-changes";

// Kubernetes' sortEncodedManagedFields: operation, time, manager, apiVersion, subresource.
bool entry_before(const ManagerEntry& a, const ManagerEntry& b) {
  return std::tie(a.operation, a.time, a.manager, a.api_version, a.subresource) <
         std::tie(b.operation, b.time, b.manager, b.api_version, b.subresource);
}

// The oldest Update entries beyond the cap become one "ancient-changes" entry.
void cap_update_managers(std::vector<ManagerEntry>& entries) {
  std::vector<ManagerEntry*> updates;
  for (auto& e : entries)
    if (e.operation == "Update" && e.manager != kAncientChanges) updates.push_back(&e);
  if (updates.size() <= kMaxUpdateManagers) return;
  std::sort(updates.begin(), updates.end(), [](auto* a, auto* b) { return a->time < b->time; });
  auto ancient = std::find_if(entries.begin(), entries.end(), [](const ManagerEntry& e) {
    return e.manager == kAncientChanges && e.operation == "Update";
  });
  ManagerEntry merged = ancient != entries.end() ? *ancient : ManagerEntry{kAncientChanges, "Update", "", "", "", {}};
  std::size_t excess = updates.size() - kMaxUpdateManagers + (ancient == entries.end() ? 1 : 0);
  for (std::size_t i = 0; i < excess && i < updates.size(); ++i) {
    merged.fields = merged.fields.united(updates[i]->fields);
    merged.time = std::max(merged.time, updates[i]->time);
    if (merged.api_version.empty()) merged.api_version = updates[i]->api_version;
    updates[i]->fields = {};  // dropped below as empty
  }
  if (ancient != entries.end()) *ancient = merged;
  else entries.push_back(merged);
}

}  // namespace

std::string ManagerEntry::conflict_name() const {
  std::string out = quoted(manager);
  if (!subresource.empty()) out += " with subresource " + quoted(subresource);
  if (operation == "Update") out += " using " + api_version;
  return out;
}

std::vector<ManagerEntry> managers_of(const api::meta::v1::ObjectMeta& meta) {
  std::vector<ManagerEntry> out;
  for (const auto& entry : meta.managed_fields()) {
    ManagerEntry e{entry.manager(), entry.operation(), entry.api_version(), entry.time(), entry.subresource(), {}};
    boost::system::error_code ec;
    json::value fields = json::parse(entry.fields_v1().raw(), ec);
    if (ec) continue;
    try {
      e.fields = FieldSet::from_fields_v1(fields);
    } catch (const std::invalid_argument&) {
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

void set_managers(api::meta::v1::ObjectMeta& meta, std::vector<ManagerEntry> entries) {
  cap_update_managers(entries);
  std::erase_if(entries, [](const ManagerEntry& e) { return e.fields.empty(); });
  std::sort(entries.begin(), entries.end(), entry_before);
  meta.clear_managed_fields();
  for (const auto& e : entries) {
    auto* out = meta.add_managed_fields();
    out->set_manager(e.manager);
    out->set_operation(e.operation);
    out->set_api_version(e.api_version);
    out->set_time(e.time);
    out->set_fields_type("FieldsV1");
    out->set_subresource(e.subresource);
    out->mutable_fields_v1()->set_raw(json::serialize(e.fields.to_fields_v1()));
  }
}

std::string manager_name(const std::string& field_manager, const std::string& user_agent) {
  if (!field_manager.empty()) return field_manager;
  std::string program = user_agent.substr(0, user_agent.find('/'));
  return program.empty() ? "unknown" : program;
}

FieldSet ownable_part(const FieldSet& fields, const sdk::ResourceType& type, const std::string& subresource) {
  static const std::vector<FieldPath> server_kept = {
      {"f:apiVersion"}, {"f:kind"}, {"f:metadata"},
      {"f:metadata", "f:name"}, {"f:metadata", "f:namespace"}, {"f:metadata", "f:creationTimestamp"},
      {"f:metadata", "f:selfLink"}, {"f:metadata", "f:uid"}, {"f:metadata", "f:generation"},
      {"f:metadata", "f:managedFields"}, {"f:metadata", "f:resourceVersion"},
      {"f:metadata", "f:deletionTimestamp"}, {"f:metadata", "f:deletionGracePeriodSeconds"}};
  FieldSet strip;
  for (const auto& path : server_kept) strip.insert(path);
  // A whole subtree of server-kept metadata goes, not just its root.
  FieldSet out = fields;
  for (const auto& path : server_kept) {
    if (path.size() != 2) continue;
    const FieldSet* meta = fields.child(path[0]);
    if (const FieldSet* sub = meta ? meta->child(path[1]) : nullptr) {
      FieldSet under;
      under.insert_under(path, *sub);
      out = out.minus(under);
    }
  }
  out = out.minus(strip);
  if (subresource == "status") return out.only_under("f:status");
  if (has_status_subresource(type)) return out.without_under("f:status");
  return out;
}

}  // namespace skiff::apiserver
