// /openapi/v2: the Swagger 2.0 document of every kind, as JSON (see openapi_documents.hpp).
#include <boost/json.hpp>

#include "openapi_documents.hpp"
#include "openapi_paths.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

json::object gvk_of(const OpenApiKind& kind) {
  return {{"group", kind.group}, {"kind", kind.kind}, {"version", kind.version}};
}

json::object v2_operation(const OpenApiKind& kind, const OpenApiOperation& op) {
  json::object response = {{"description", "OK"}, {"schema", {{"$ref", "#/definitions/" + op.response}}}};
  return {{"description", op.description},
          {"operationId", op.operation_id},
          {"produces", json::array{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}},
          {"responses", {{"200", std::move(response)}, {"401", {{"description", "Unauthorized"}}}}},
          {"x-kubernetes-action", op.action},
          {"x-kubernetes-group-version-kind", gvk_of(kind)}};
}

json::object v2_paths(const OpenApiModel& model) {
  json::object paths;
  for (const auto& kind : model.kinds)
    for (const auto& path : openapi_paths_of(kind)) {
      json::object item;
      for (const auto& op : path.operations) item[op.method] = v2_operation(kind, op);
      json::array parameters;
      for (const auto& name : path.path_parameters)
        parameters.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"type", "string"}, {"uniqueItems", true}});
      item["parameters"] = std::move(parameters);
      paths[path.path] = std::move(item);
    }
  return paths;
}

}  // namespace

json::object openapi_v2_document(const OpenApiModel& model, const std::string& version) {
  return {{"swagger", "2.0"},
          {"info", {{"title", "Kubernetes"}, {"version", version}}},
          {"paths", v2_paths(model)},
          {"definitions", model.definitions}};
}

}  // namespace skiff::apiserver
