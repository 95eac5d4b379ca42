// The OpenAPI documents the apiserver serves, built from an OpenApiModel: /openapi/v2 (JSON and
// gnostic protobuf) and the /openapi/v3 group-version documents.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "openapi_model.hpp"

namespace skiff::apiserver {

// Swagger 2.0: every definition, and the paths of every kind. version: what /version reports.
boost::json::object openapi_v2_document(const OpenApiModel& model, const std::string& version);
// The same document as gnostic's OpenAPIv2 Document message (skiff/openapi/v2/gnostic.proto).
std::string openapi_v2_protobuf(const boost::json::object& v2_document);

// The group-versions with a v3 document ("api/v1", "apis/apps/v1"), sorted.
std::vector<std::string> openapi_v3_group_versions(const OpenApiModel& model);
// OpenAPI 3.0 for one group-version: its kinds' paths (PATCH lists the fieldValidation parameter)
// and components.schemas with every schema they reach.
boost::json::object openapi_v3_document(const OpenApiModel& model, const std::string& group_version_path,
                                        const std::string& version);

}  // namespace skiff::apiserver
