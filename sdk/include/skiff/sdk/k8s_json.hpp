// The one conversion layer between Kubernetes JSON and Skiff's Protobuf API messages.
//
// Where it differs from proto3 JSON: int64 fields are JSON numbers; IntOrString is a bare
// number or string; quantity maps accept numbers; map keys are sorted; zero values are
// omitted unless the field is `optional` and set, or marked always_emit; unknown fields are
// skipped and reported, as the Kubernetes API server does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "skiff/sdk/resources.hpp"

namespace skiff::sdk {

// Fills `message` from Kubernetes JSON. Throws Error(400) naming the field path and the
// expected type. Unknown fields are skipped; their paths are appended to `unknown_fields`.
void from_k8s_json(const boost::json::value& json, google::protobuf::Message& message,
                   std::vector<std::string>* unknown_fields = nullptr);

// Kubernetes JSON of a message (no apiVersion/kind).
boost::json::value to_k8s_json(const google::protobuf::Message& message);

// A top-level object: apiVersion and kind first, then the message's fields.
boost::json::object to_k8s_object(const google::protobuf::Message& message, const ResourceType& type);

// A manifest as users write it (YAML or JSON text) as a JSON value. Quoted scalars stay
// strings; plain ones become numbers, booleans or null as YAML says. Throws Error(400).
boost::json::value yaml_to_json(std::string_view text);

}  // namespace skiff::sdk
