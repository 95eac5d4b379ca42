// Builds the OpenAPI v2 definitions of the API's kinds by walking their Protobuf descriptors,
// with the JSON names and special forms sdk/k8s_json gives them (see openapi_model.hpp).
#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "openapi_field_notes.hpp"
#include "openapi_model.hpp"
#include "served_versions.hpp"
#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/api/options.pb.h"

namespace skiff::apiserver {
namespace {

namespace pb = google::protobuf;
namespace json = boost::json;

const std::string kIntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const std::string kQuantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const std::string kTime = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const std::string kRawExtension = "io.k8s.apimachinery.pkg.runtime.RawExtension";
const std::string kListMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

json::object ref_to(const std::string& name) { return {{"$ref", "#/definitions/" + name}}; }

// "minReadySeconds" → "Min ready seconds", "hostIP" → "Host IP", "HTTPGetAction" → "HTTP get action".
std::string words_of(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    bool after_lower = i > 0 && !std::isupper(static_cast<unsigned char>(name[i - 1]));
    bool before_lower = i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1]));
    bool after_upper = i > 0 && std::isupper(static_cast<unsigned char>(name[i - 1]));
    if (upper && !word.empty() && (after_lower || (after_upper && before_lower))) {
      words.push_back(word);
      word.clear();
    }
    word += c;
  }
  if (!word.empty()) words.push_back(word);
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string w = words[i];
    bool acronym = w.size() > 1 && std::all_of(w.begin(), w.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); });
    if (!acronym) w[0] = static_cast<char>(i == 0 ? std::toupper(static_cast<unsigned char>(w[0])) : std::tolower(static_cast<unsigned char>(w[0])));
    out += (i ? " " : "") + w;
  }
  return out;
}

std::string trimmed(std::string text) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

// The .proto comment when the descriptor carries one (protoc's C++ output drops them today,
// see the README), else a sentence made of the name.
template <class Descriptor>
std::string description_of(const Descriptor* d, std::string_view name) {
  pb::SourceLocation location;
  if (d->GetSourceLocation(&location)) {
    std::string comment = trimmed(location.leading_comments.empty() ? location.trailing_comments : location.leading_comments);
    if (!comment.empty()) return comment;
  }
  return words_of(name) + ".";
}

// "Deployment (apps/v1), served at /apis/apps/v1/namespaces/{namespace}/deployments."
std::string kind_description(const std::vector<const sdk::ResourceType*>& types) {
  std::string out = types.front()->kind + " (";
  for (std::size_t i = 0; i < types.size(); ++i) out += (i ? ", " : "") + types[i]->api_version();
  const sdk::ResourceType& type = *types.front();
  std::string prefix = type.group.empty() ? "/api/" + type.version : "/apis/" + type.group + "/" + type.version;
  return out + "), served at " + prefix + (type.namespaced ? "/namespaces/{namespace}/" : "/") + type.plural + ".";
}

bool named_like_time(std::string_view json_name) {
  auto ends_with = [&](std::string_view tail) {
    return json_name.size() > tail.size() && json_name.substr(json_name.size() - tail.size()) == tail;
  };
  return ends_with("Time") || ends_with("Timestamp");
}

class SchemaBuilder {
 public:
  explicit SchemaBuilder(const std::vector<sdk::ResourceType>& kinds) {
    for (const auto& type : kinds) {
      auto& types = kinds_[type.descriptor];
      if (types.empty()) order_.push_back(type.descriptor);
      types.push_back(&type);
    }
  }

  OpenApiModel build() {
    add_special_definitions();
    for (const pb::Descriptor* descriptor : order_) {
      std::string name = definition_of(descriptor);
      for (const sdk::ResourceType* type : kinds_[descriptor]) {
        model_.kinds.push_back({type->group, type->version, type->kind, type->plural, type->namespaced, name});
        add_list(*type, name);
      }
    }
    sort_definitions();
    return std::move(model_);
  }

 private:
  void add_special_definitions() {
    model_.definitions[kIntOrString] = {
        {"description", "A value that is an integer or a string: a port number or name (8080, \"http\"), a count "
                        "or a percentage (3, \"25%\")."},
        {"type", "string"},
        {"format", "int-or-string"}};
    model_.definitions[kQuantity] = {
        {"description", "A fixed-point amount with an optional suffix: \"100m\" (0.1), \"128Mi\", \"1.5\", \"2e3\". "
                        "Requests and limits of CPU, memory and storage are quantities."},
        {"type", "string"}};
    model_.definitions[kTime] = {
        {"description", "A time in RFC 3339 form (\"2026-11-27T01:02:03Z\"), serialized as a string."},
        {"type", "string"},
        {"format", "date-time"}};
    model_.definitions[kRawExtension] = {{"description", "An embedded JSON object, kept as its bytes."},
                                         {"type", "object"}};
  }

  // The definition of a message, built on first use; returns its name.
  std::string definition_of(const pb::Descriptor* message) {
    if (message == api::meta::v1::IntOrString::descriptor()) return kIntOrString;
    if (message == api::meta::v1::RawExtension::descriptor()) return kRawExtension;
    std::string name = definition_name(message);
    if (!model_.definitions.contains(name) && built_.insert(message).second)
      model_.definitions[name] = message_schema(message, name);  // recursion may fill others first
    return name;
  }

  json::object message_schema(const pb::Descriptor* message, const std::string& name) {
    json::object schema;
    auto kind = kinds_.find(message);
    std::string kind_name = kind == kinds_.end() ? "" : kind->second.front()->kind;
    schema["description"] = kind_name.empty() ? description_of(message, message->name()) : kind_description(kind->second);
    schema["type"] = "object";
    json::object properties;
    if (!kind_name.empty()) {
      properties["apiVersion"] = {{"description", common_field_description("apiVersion", kind_name)}, {"type", "string"}};
      properties["kind"] = {{"description", common_field_description("kind", kind_name)}, {"type", "string"}};
    }
    for (int i = 0; i < message->field_count(); ++i) {
      const pb::FieldDescriptor* field = message->field(i);
      json::object property = field_schema(field, name);
      std::string common = kind_name.empty() ? "" : common_field_description(field->json_name(), kind_name);
      property["description"] = common.empty() ? description_of(field, field->json_name()) : common;
      properties[field->json_name()] = std::move(property);
    }
    json::array required;
    for (const auto& field : required_fields(name))
      if (properties.contains(field)) required.push_back(json::string(field));
    if (!required.empty()) schema["required"] = std::move(required);
    if (!properties.empty()) schema["properties"] = std::move(properties);
    if (kind != kinds_.end()) {
      json::array gvks;
      for (const sdk::ResourceType* type : kind->second)
        gvks.push_back({{"group", type->group}, {"kind", type->kind}, {"version", type->version}});
      schema["x-kubernetes-group-version-kind"] = std::move(gvks);
    }
    return schema;
  }

  json::object field_schema(const pb::FieldDescriptor* field, const std::string& owner) {
    const auto& options = field->options();
    if (field->is_map()) {
      const pb::FieldDescriptor* value = field->message_type()->map_value();
      bool times = options.GetExtension(api::k8s_wire) == "map:Time";
      return {{"type", "object"}, {"additionalProperties", value_schema(value, options.GetExtension(api::quantities), times)}};
    }
    bool time = options.GetExtension(api::k8s_wire) == "Time" ||
                (field->type() == pb::FieldDescriptor::TYPE_STRING && named_like_time(field->json_name()));
    json::object value = value_schema(field, options.GetExtension(api::quantities), time);
    if (!field->is_repeated()) return value;
    json::object array = {{"type", "array"}, {"items", std::move(value)}};
    if (const std::string& key = options.GetExtension(api::merge_key); !key.empty()) {
      array["x-kubernetes-patch-merge-key"] = key;
      array["x-kubernetes-patch-strategy"] = "merge";
    } else if (options.GetExtension(api::merge_primitives)) {
      array["x-kubernetes-patch-strategy"] = "merge";
    }
    if (const ListType* list = list_type_of(owner, field->json_name())) {
      if (!list->map_keys.empty()) {
        json::array keys;
        for (const auto& k : list->map_keys) keys.push_back(json::string(k));
        array["x-kubernetes-list-map-keys"] = std::move(keys);
      }
      array["x-kubernetes-list-type"] = list->type;
    }
    return array;
  }

  // The schema of one value of the field (an element when it is repeated).
  json::object value_schema(const pb::FieldDescriptor* field, bool quantity, bool time) {
    using F = pb::FieldDescriptor;
    switch (field->cpp_type()) {
      case F::CPPTYPE_MESSAGE: return ref_to(definition_of(field->message_type()));
      case F::CPPTYPE_INT32: return {{"type", "integer"}, {"format", "int32"}};
      case F::CPPTYPE_INT64:
      case F::CPPTYPE_UINT32:
      case F::CPPTYPE_UINT64: return {{"type", "integer"}, {"format", "int64"}};
      case F::CPPTYPE_DOUBLE:
      case F::CPPTYPE_FLOAT: return {{"type", "number"}, {"format", "double"}};
      case F::CPPTYPE_BOOL: return {{"type", "boolean"}};
      case F::CPPTYPE_ENUM: return {{"type", "string"}};
      case F::CPPTYPE_STRING:
        if (quantity) return ref_to(kQuantity);
        if (time) return ref_to(kTime);
        if (field->type() == F::TYPE_BYTES) return {{"type", "string"}, {"format", "byte"}};
        return {{"type", "string"}};
    }
    return {{"type", "string"}};
  }

  void add_list(const sdk::ResourceType& type, const std::string& item) {
    std::string name = item + "List";
    if (model_.definitions.contains(name)) return;
    std::string list_kind = type.kind + "List";
    json::object properties;
    properties["apiVersion"] = {{"description", common_field_description("apiVersion", list_kind)}, {"type", "string"}};
    properties["items"] = {{"description", common_field_description("items", type.kind)},
                           {"type", "array"},
                           {"items", ref_to(item)}};
    properties["kind"] = {{"description", common_field_description("kind", list_kind)}, {"type", "string"}};
    json::object meta = ref_to(kListMeta);
    meta["description"] = "Standard list metadata: the resourceVersion to watch from and the continue token.";
    properties["metadata"] = std::move(meta);
    definition_of(api::meta::v1::ListMeta::descriptor());
    model_.definitions[name] = {
        {"description", "A list of " + type.kind + " objects."},
        {"type", "object"},
        {"required", json::array{"items"}},
        {"properties", std::move(properties)},
        {"x-kubernetes-group-version-kind",
         json::array{json::object{{"group", type.group}, {"kind", list_kind}, {"version", type.version}}}}};
  }

  // By name, as Kubernetes lists them: the documents (and their ETags) stay the same from run to run.
  void sort_definitions() {
    std::vector<std::string> names;
    for (const auto& entry : model_.definitions) names.emplace_back(entry.key());
    std::sort(names.begin(), names.end());
    json::object sorted;
    sorted.reserve(names.size());
    for (const auto& name : names) sorted[name] = std::move(model_.definitions[name]);
    model_.definitions = std::move(sorted);
  }

  std::map<const pb::Descriptor*, std::vector<const sdk::ResourceType*>> kinds_;
  std::vector<const pb::Descriptor*> order_;  // the kinds' messages in the order given
  std::set<const pb::Descriptor*> built_;
  OpenApiModel model_;
};

}  // namespace

std::string definition_name(const pb::Descriptor* message) {
  const std::string& full = message->full_name();
  const std::string prefix = "skiff.api.";
  if (full.rfind(prefix, 0) != 0) return full;
  std::string rest = full.substr(prefix.size());  // "apps.v1.Deployment"
  std::string group = rest.substr(0, rest.find('.'));
  if (group == "meta") return "io.k8s.apimachinery.pkg.apis." + rest;
  if (group == "metrics") return "io.k8s.metrics.pkg.apis." + rest;
  return "io.k8s.api." + rest;
}

OpenApiModel openapi_model_of(const std::vector<sdk::ResourceType>& kinds) { return SchemaBuilder(kinds).build(); }

OpenApiModel builtin_openapi_model() {
  std::vector<sdk::ResourceType> kinds = sdk::resource_types();
  for (const auto& served : served_versions()) kinds.push_back(served.type);
  return openapi_model_of(kinds);
}

void merge_openapi_models(OpenApiModel& model, const OpenApiModel& extra) {
  for (const auto& [name, schema] : extra.definitions) model.definitions[name] = schema;
  model.kinds.insert(model.kinds.end(), extra.kinds.begin(), extra.kinds.end());
}

}  // namespace skiff::apiserver
