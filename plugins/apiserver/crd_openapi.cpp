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

json::object schema_of(const ServedCustomResource& crd, const CustomResourceVersion& version) {
  json::object schema = version.schema && version.schema->document().is_object() ? version.schema->document().as_object()
                                                                                 : json::object{{"type", "object"}};
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
