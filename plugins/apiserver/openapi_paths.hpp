// The REST operations of a kind, once, for the paths of both OpenAPI documents.
#pragma once

#include <string>
#include <vector>

#include "openapi_model.hpp"

namespace skiff::apiserver {

struct OpenApiOperation {
  std::string method;        // "get", "post", "put", "patch", "delete"
  std::string action;        // x-kubernetes-action: "list", "post", "get", "put", "patch", "delete"
  std::string operation_id;  // "listAppsV1NamespacedDeployment", as Kubernetes names it
  std::string description;
  std::string response;      // definition name of the 200 answer
  bool takes_body = false;   // post and put: the object
};

struct OpenApiPath {
  std::string path;  // "/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
  std::vector<std::string> path_parameters;  // "namespace", "name"
  std::vector<OpenApiOperation> operations;
};

// The collection and the item path of a kind.
std::vector<OpenApiPath> openapi_paths_of(const OpenApiKind& kind);

}  // namespace skiff::apiserver
