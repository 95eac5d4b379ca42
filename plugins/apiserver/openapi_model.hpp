// OpenAPI schemas of the API's kinds, generated in one place from the resource model: the
// Protobuf descriptors of the kinds and the JSON names sdk/k8s_json gives their fields.
//
// Custom resources (a later CRD registry) add theirs through OpenApiService::set_extra with an
// OpenApiModel of their own: one OpenApiKind per served kind and its schema under
// `definitions` (OpenAPI v2 form, references written "#/definitions/<name>", the kind's schema
// carrying x-kubernetes-group-version-kind). Both /openapi/v2 and /openapi/v3 pick them up.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {

struct OpenApiKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced = true;
  std::string definition;  // its schema's name: "io.k8s.api.apps.v1.Deployment"

  // "api/v1" or "apis/apps/v1": the path prefix, also the key of the /openapi/v3 index.
  std::string group_version_path() const { return group.empty() ? "api/" + version : "apis/" + group + "/" + version; }
};

struct OpenApiModel {
  boost::json::object definitions;  // name → OpenAPI v2 schema, in a stable order
  std::vector<OpenApiKind> kinds;
};

// Kubernetes' definition name for a Skiff API message: skiff.api.apps.v1.Deployment →
// io.k8s.api.apps.v1.Deployment; skiff.api.meta.v1.ObjectMeta → io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.
std::string definition_name(const google::protobuf::Descriptor* message);

// The schemas of these kinds, of their lists, and of every message they reach.
OpenApiModel openapi_model_of(const std::vector<sdk::ResourceType>& kinds);
// Every built-in kind: sdk::resource_types() and the served-only versions (autoscaling/v1).
OpenApiModel builtin_openapi_model();
// Adds extra's kinds and definitions to model; a definition of the same name is replaced.
void merge_openapi_models(OpenApiModel& model, const OpenApiModel& extra);

}  // namespace skiff::apiserver
