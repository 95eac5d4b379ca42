// /openapi/v3/<group-version>: OpenAPI 3.0 documents, the v2 definitions rewritten as
// components.schemas (see openapi_documents.hpp).
#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "openapi_documents.hpp"
#include "openapi_paths.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

const std::string kV2Refs = "#/definitions/";
const std::string kV3Refs = "#/components/schemas/";
const std::string kPatch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

json::object ref_to(const std::string& name) { return {{"$ref", kV3Refs + name}}; }

std::string definition_of_ref(const json::value& ref) {
  std::string text(ref.as_string());
  return text.rfind(kV2Refs, 0) == 0 ? text.substr(kV2Refs.size()) : text;
}

json::value to_v3(const json::value& schema, bool property);

// A v2 schema in v3 form: refs point into components.schemas; a property that refers to
// another schema does so through allOf, as Kubernetes writes it (kubectl explain follows that).
json::value to_v3(const json::value& schema, bool property) {
  if (!schema.is_object()) return schema;
  json::object out;
  for (const auto& [key, v] : schema.as_object()) {
    if (key == "$ref" && v.is_string()) {
      if (property) out["allOf"] = json::array{ref_to(definition_of_ref(v))};
      else out["$ref"] = kV3Refs + definition_of_ref(v);
    } else if (key == "properties" && v.is_object()) {
      json::object properties;
      for (const auto& [name, p] : v.as_object()) properties[name] = to_v3(p, true);
      out[key] = std::move(properties);
    } else if (key == "items" || key == "additionalProperties") {
      out[key] = to_v3(v, key == "items");
    } else {
      out[key] = v;
    }
  }
  return out;
}

// Every definition `name` reaches, itself included.
void collect(const json::object& definitions, const std::string& name, std::set<std::string>& seen);

void collect_refs(const json::object& definitions, const json::value& v, std::set<std::string>& seen) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) {
      if (key == "$ref" && child.is_string()) collect(definitions, definition_of_ref(child), seen);
      else collect_refs(definitions, child, seen);
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) collect_refs(definitions, child, seen);
  }
}

void collect(const json::object& definitions, const std::string& name, std::set<std::string>& seen) {
  if (!seen.insert(name).second) return;
  if (const auto* schema = definitions.if_contains(name)) collect_refs(definitions, *schema, seen);
}

json::array query_parameters(const OpenApiOperation& op) {
  json::array out;
  auto add = [&](const char* name, const char* description) {
    out.push_back({{"name", name}, {"in", "query"}, {"description", description}, {"schema", {{"type", "string"}}},
                   {"uniqueItems", true}});
  };
  if (op.method == "post" || op.method == "put" || op.method == "patch") {
    add("dryRun", "When present (All), the change is checked but not stored.");
    add("fieldManager", "The name of the actor making the change, recorded in managedFields.");
    // kubectl looks for this one on PATCH: present, it leaves checking fields to the server.
    add("fieldValidation", "What the server does with unknown or duplicate fields: Ignore, Warn (the default) or "
                           "Strict (refuse the request).");
  }
  if (op.method == "get" && op.action == "list") {
    add("labelSelector", "Only objects whose labels match this selector.");
    add("fieldSelector", "Only objects whose fields match this selector.");
    add("resourceVersion", "The revision to list at or watch from.");
  }
  return out;
}

json::object json_content(const json::object& schema) {
  json::object content;
  for (const char* type : {"application/json", "application/yaml"}) content[type] = {{"schema", schema}};
  return content;
}

json::object v3_operation(const OpenApiKind& kind, const OpenApiOperation& op) {
  json::object out = {{"description", op.description}, {"operationId", op.operation_id}};
  if (json::array parameters = query_parameters(op); !parameters.empty()) out["parameters"] = std::move(parameters);
  if (op.takes_body) out["requestBody"] = {{"content", json_content(ref_to(kind.definition))}, {"required", true}};
  if (op.method == "patch") {
    // No application/strategic-merge-patch+json: listed, kubectl would compute apply patches
    // from these schemas; left out, it takes the merge keys from /openapi/v2 (same table).
    json::object content;
    for (const char* type : {"application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"})
      content[type] = {{"schema", ref_to(kPatch)}};
    out["requestBody"] = {{"content", std::move(content)}, {"required", true}};
  }
  out["responses"] = {{"200", {{"description", "OK"}, {"content", json_content(ref_to(op.response))}}},
                      {"401", {{"description", "Unauthorized"}}}};
  out["x-kubernetes-action"] = op.action;
  out["x-kubernetes-group-version-kind"] = {{"group", kind.group}, {"kind", kind.kind}, {"version", kind.version}};
  return out;
}

}  // namespace

std::vector<std::string> openapi_v3_group_versions(const OpenApiModel& model) {
  std::set<std::string> paths;
  for (const auto& kind : model.kinds) paths.insert(kind.group_version_path());
  return {paths.begin(), paths.end()};
}

json::object openapi_v3_document(const OpenApiModel& model, const std::string& group_version_path,
                                 const std::string& version) {
  json::object paths;
  std::set<std::string> reached;
  for (const auto& kind : model.kinds) {
    if (kind.group_version_path() != group_version_path) continue;
    collect(model.definitions, kind.definition, reached);
    collect(model.definitions, kind.definition + "List", reached);
    for (const auto& path : openapi_paths_of(kind)) {
      json::object item;
      for (const auto& op : path.operations) item[op.method] = v3_operation(kind, op);
      json::array parameters;
      for (const auto& name : path.path_parameters)
        parameters.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
      item["parameters"] = std::move(parameters);
      paths[path.path] = std::move(item);
    }
  }
  json::object schemas;
  for (const auto& name : reached)
    if (const auto* schema = model.definitions.if_contains(name)) schemas[name] = to_v3(*schema, false);
  if (!paths.empty())
    schemas[kPatch] = {{"description", "The body of a PATCH: a JSON patch, a merge patch or an apply configuration."},
                       {"type", "object"}};
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", version}}},
          {"paths", std::move(paths)},
          {"components", {{"schemas", std::move(schemas)}}}};
}

}  // namespace skiff::apiserver
