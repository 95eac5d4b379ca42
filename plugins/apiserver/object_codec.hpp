// Request bodies to objects and back: Kubernetes JSON (or YAML), field validation, patches, Scale.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "api_core.hpp"

namespace skiff::apiserver {

// JSON, or YAML when the content type says so; throws ApiError 400 with the parser's message.
boost::json::value parse_body(const std::string& body, const std::string& content_type);

// A body as an object of `type`: apiVersion/kind checked, unknown fields refused (Strict) or
// reported in `warnings` (Warn, the default) or dropped (Ignore).
MessagePtr decode_object(const sdk::ResourceType& type, const boost::json::value& body,
                         const std::string& field_validation, std::vector<std::string>& warnings);

boost::json::object encode_object(const google::protobuf::Message& object, const sdk::ResourceType& type);

enum class PatchType { Merge, Json, Strategic, Apply };
// Maps a Content-Type to a patch type; throws ApiError 415 naming the supported ones.
PatchType patch_type_of(const std::string& content_type);
// `current` with `patch` applied, decoded and ready for validation.
MessagePtr patch_object(const sdk::ResourceType& type, const google::protobuf::Message& current, PatchType kind,
                        const boost::json::value& patch, const std::string& field_validation,
                        std::vector<std::string>& warnings);

// autoscaling/v1 Scale of a Deployment or ReplicaSet.
boost::json::object scale_of(const sdk::ResourceType& type, const google::protobuf::Message& workload);
// The replicas a Scale document asks for; throws ApiError 400/422.
std::int32_t replicas_from_scale(const boost::json::value& scale);
void set_replicas(google::protobuf::Message& workload, std::int32_t replicas);

}  // namespace skiff::apiserver
