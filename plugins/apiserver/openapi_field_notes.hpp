// What the Protobuf descriptors do not say about a field but Kubernetes' OpenAPI does: which
// fields are required, list types and map keys, and the descriptions of the fields every kind has.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skiff::apiserver {

// Kubernetes' required fields of a definition ("io.k8s.api.core.v1.Container" → name); only
// those clients always send, so kubectl's client-side check never refuses a manifest the
// server takes.
const std::vector<std::string>& required_fields(std::string_view definition);

struct ListType {
  std::string type;                   // "map", "set" or "atomic"
  std::vector<std::string> map_keys;  // for "map"
};
// x-kubernetes-list-type (and -map-keys) of definition.field, nullptr where Kubernetes says nothing.
const ListType* list_type_of(std::string_view definition, std::string_view field);

// The description of apiVersion, kind, metadata, spec, status and items in a kind's schema
// (kind: "Deployment"); "" for other fields.
std::string common_field_description(std::string_view field, std::string_view kind);

}  // namespace skiff::apiserver
