#include "crd_openapi.hpp"

#include <sstream>

namespace skiff::apiserver {

namespace json = boost::json;

namespace {

// example.com → com.example
std::string reversed_group(const std::string& group) {
  std::vector<std::string> parts;
  std::stringstream in(group);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += (out.empty() ? "" : ".") + *it;
  return out;
}

// A node that keeps unknown fields says nothing more to clients (as Kubernetes publishes it):
// kubectl's client-side check would otherwise refuse the fields the server keeps.
void open_preserved_nodes(json::value& node) {
  if (!node.is_object()) return;
  auto& object = node.as_object();
  const auto* preserve = object.if_contains("x-kubernetes-preserve-unknown-fields");
  if (preserve && preserve->is_bool() && preserve->as_bool()) {
    json::object open{{"x-kubernetes-preserve-unknown-fields", true}};
    if (const auto* description = object.if_contains("description")) open["description"] = *description;
    node = std::move(open);
    return;
  }
  for (const char* key : {"properties", "additionalProperties", "items"}) {
    auto* child = object.if_contains(key);
    if (!child) continue;
    if (std::string(key) == "properties" && child->is_object())
      for (auto& [name, value] : child->as_object()) open_preserved_nodes(value);
    else
      open_preserved_nodes(*child);
  }
}

json::object schema_of(const ServedCustomResource& crd, const CustomResourceVersion& version) {
  json::object schema = version.schema && version.schema->document().is_object() ? version.schema->document().as_object()
                                                                                 : json::object{{"type", "object"}};
  json::value opened = schema;
  open_preserved_nodes(opened);
  schema = opened.as_object();
  schema["x-kubernetes-group-version-kind"] =
      json::array{json::object{{"group", crd.group}, {"version", version.name}, {"kind", crd.kind}}};
  if (schema.contains("x-kubernetes-preserve-unknown-fields")) return schema;  // anything goes: no fields named
  if (!schema["properties"].is_object()) schema["properties"] = json::object{};
  json::object& properties = schema["properties"].as_object();
  properties["apiVersion"] = json::object{{"type", "string"}, {"description", "The schema version of this object: " +
                                                                                 crd.api_version(version.name) + "."}};
  properties["kind"] = json::object{{"type", "string"}, {"description", "The kind of this object: " + crd.kind + "."}};
  properties["metadata"] = json::object{{"$ref", "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
                                        {"description", "Standard object's metadata."}};
  schema["x-kubernetes-group-version-kind"] =
      json::array{json::object{{"group", crd.group}, {"version", version.name}, {"kind", crd.kind}}};
  return schema;
}

}  // namespace

OpenApiModel openapi_model_of_crds(const std::vector<ServedCustomResourcePtr>& served) {
  OpenApiModel model;
  for (const auto& crd : served) {
    if (!crd || crd->terminating) continue;
    for (const auto& version : crd->versions) {
      if (!version.served) continue;
      OpenApiKind kind{crd->group, version.name, crd->kind, crd->plural, crd->namespaced,
                       reversed_group(crd->group) + "." + version.name + "." + crd->kind};
      model.definitions[kind.definition] = schema_of(*crd, version);
      model.kinds.push_back(std::move(kind));
    }
  }
  return model;
}

}  // namespace skiff::apiserver
