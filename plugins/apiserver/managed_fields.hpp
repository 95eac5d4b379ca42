// metadata.managedFields: who owns which fields of an object, kept as Kubernetes keeps them —
// one entry per manager, operation (Apply or Update) and subresource, FieldsV1 sets, times in
// RFC 3339 seconds, Apply entries first, at most ten Update entries (older ones merged into
// "ancient-changes").
#pragma once

#include <string>
#include <vector>

#include "field_set.hpp"
#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {

struct ManagerEntry {
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string api_version;
  std::string time;
  std::string subresource;
  FieldSet fields;

  bool same_owner(const ManagerEntry& other) const {
    return manager == other.manager && operation == other.operation && subresource == other.subresource;
  }
  // As Kubernetes names a manager in a conflict: "kubectl-client-side-apply" using apps/v1
  std::string conflict_name() const;
};

// The entries of an object (entries whose FieldsV1 cannot be read are dropped).
std::vector<ManagerEntry> managers_of(const api::meta::v1::ObjectMeta& meta);
// Writes the entries back: empty ones dropped, capped, in Kubernetes' order.
void set_managers(api::meta::v1::ObjectMeta& meta, std::vector<ManagerEntry> entries);

// The manager a write is recorded under: the fieldManager parameter, else the program name
// from the User-Agent ("kubectl/v1.20.0 (linux/amd64) …" → "kubectl"), as Kubernetes does.
std::string manager_name(const std::string& field_manager, const std::string& user_agent);

// Where a write may own fields: no server-kept metadata, no apiVersion/kind; the status only
// through the status subresource of kinds that have one, and nothing else there.
FieldSet ownable_part(const FieldSet& fields, const sdk::ResourceType& type, const std::string& subresource);

}  // namespace skiff::apiserver
