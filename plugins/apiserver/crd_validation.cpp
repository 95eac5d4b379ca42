// Each check names the field and says what would be accepted.
#include "crd_validation.hpp"

#include <regex>
#include <set>

#include <boost/json.hpp>

#include "field_rules.hpp"
#include "json_path.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace ext = api::apiextensions::v1;

std::string lower(const std::string& text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void each(FieldErrors& errors, const std::string& field, const std::string& value, const Messages& messages) {
  for (const auto& m : messages) errors.invalid(field, quoted(value), m);
}

void check_names(FieldErrors& errors, const ext::CustomResourceDefinitionNames& names, const std::string& at) {
  if (names.plural().empty()) errors.required(at + ".plural");
  else each(errors, at + ".plural", names.plural(), dns1035_label_errors(names.plural()));
  if (!names.singular().empty()) each(errors, at + ".singular", names.singular(), dns1035_label_errors(names.singular()));
  if (names.kind().empty()) errors.required(at + ".kind");
  else if (lower(names.kind()) == names.kind() && names.kind() == names.plural())
    errors.invalid(at + ".kind", quoted(names.kind()), "may have mixed case, but should otherwise match: " + names.plural());
  for (int i = 0; i < names.short_names_size(); ++i)
    each(errors, at + ".shortNames[" + std::to_string(i) + "]", names.short_names(i), dns1035_label_errors(names.short_names(i)));
  for (int i = 0; i < names.categories_size(); ++i)
    each(errors, at + ".categories[" + std::to_string(i) + "]", names.categories(i), dns1035_label_errors(names.categories(i)));
}

// Patterns must compile; the root must be an object; nested schemas are checked the same way.
void check_schema_node(FieldErrors& errors, const json::value& node, const std::string& at) {
  if (!node.is_object()) return;
  const json::object& s = node.as_object();
  if (const json::value* pattern = s.if_contains("pattern"); pattern && pattern->is_string()) {
    try {
      std::regex(std::string(pattern->as_string()), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      errors.invalid(at + ".pattern", quoted(std::string(pattern->as_string())),
                     std::string("must be a valid regular expression, but isn't: ") + e.what());
    }
  }
  if (const json::value* type = s.if_contains("type"); type && type->is_string()) {
    static const std::set<std::string> types = {"array", "boolean", "integer", "number", "object", "string"};
    if (!types.count(std::string(type->as_string())))
      errors.unsupported(at + ".type", std::string(type->as_string()),
                         {"array", "boolean", "integer", "number", "object", "string"});
  }
  if (const json::value* p = s.if_contains("properties"); p && p->is_object())
    for (const auto& [key, child] : p->as_object()) check_schema_node(errors, child, at + ".properties[" + std::string(key) + "]");
  if (const json::value* items = s.if_contains("items")) check_schema_node(errors, *items, at + ".items");
  if (const json::value* extra = s.if_contains("additionalProperties")) check_schema_node(errors, *extra, at + ".additionalProperties");
}

void check_schema(FieldErrors& errors, const ext::CustomResourceDefinitionVersion& v, const std::string& at) {
  const std::string& raw = v.schema().open_api_v3_schema().raw();
  std::string field = at + ".schema.openAPIV3Schema";
  if (raw.empty() || raw == "null") return errors.required(field, "schemas are required");
  json::error_code ec;
  json::value schema = json::parse(raw, ec);
  if (ec || !schema.is_object()) return errors.invalid(field, "", "must be a JSON Schema object");
  const json::value* type = schema.as_object().if_contains("type");
  bool preserve = schema.as_object().contains("x-kubernetes-preserve-unknown-fields");
  if (!type && !preserve) errors.required(field + ".type", "must not be empty at the root");
  else if (type && (!type->is_string() || type->as_string() != "object"))
    errors.unsupported(field + ".type", type->is_string() ? std::string(type->as_string()) : json::serialize(*type), {"object"});
  check_schema_node(errors, schema, field);
}

void check_path(FieldErrors& errors, const std::string& field, const std::string& path, bool required) {
  if (path.empty()) {
    if (required) errors.required(field);
    return;
  }
  try {
    JsonPath parsed(path);
  } catch (const std::invalid_argument& e) {
    errors.invalid(field, quoted(path), e.what());
  }
}

void check_version(FieldErrors& errors, const ext::CustomResourceDefinitionVersion& v, const std::string& at) {
  if (v.name().empty()) errors.required(at + ".name");
  else each(errors, at + ".name", v.name(), dns1035_label_errors(v.name()));
  check_schema(errors, v, at);
  if (v.has_subresources() && v.subresources().has_scale()) {
    const auto& s = v.subresources().scale();
    std::string field = at + ".subresources.scale";
    check_path(errors, field + ".specReplicasPath", s.spec_replicas_path(), true);
    if (!s.spec_replicas_path().starts_with(".spec."))
      errors.invalid(field + ".specReplicasPath", quoted(s.spec_replicas_path()), "should be a json path under .spec");
    check_path(errors, field + ".statusReplicasPath", s.status_replicas_path(), true);
    if (!s.status_replicas_path().starts_with(".status."))
      errors.invalid(field + ".statusReplicasPath", quoted(s.status_replicas_path()), "should be a json path under .status");
    check_path(errors, field + ".labelSelectorPath", s.label_selector_path(), false);
  }
  static const std::vector<std::string> column_types = {"boolean", "date", "integer", "number", "string"};
  for (int i = 0; i < v.additional_printer_columns_size(); ++i) {
    const auto& c = v.additional_printer_columns(i);
    std::string field = at + ".additionalPrinterColumns[" + std::to_string(i) + "]";
    if (c.name().empty()) errors.required(field + ".name");
    if (std::find(column_types.begin(), column_types.end(), c.type()) == column_types.end())
      errors.unsupported(field + ".type", c.type(), column_types);
    check_path(errors, field + ".jsonPath", c.json_path(), true);
    if (c.priority() < 0) errors.invalid(field + ".priority", std::to_string(c.priority()), "must be greater than or equal to 0");
  }
}

void check_versions(FieldErrors& errors, const ext::CustomResourceDefinitionSpec& spec) {
  if (spec.versions().empty()) return errors.required("spec.versions", "must have exactly one version marked as storage version");
  int storage = 0, served = 0;
  std::set<std::string> names;
  for (int i = 0; i < spec.versions_size(); ++i) {
    const auto& v = spec.versions(i);
    std::string at = "spec.versions[" + std::to_string(i) + "]";
    storage += v.storage();
    served += v.served();
    if (!names.insert(v.name()).second) errors.duplicate(at + ".name", quoted(v.name()));
    check_version(errors, v, at);
  }
  if (storage != 1)
    errors.invalid("spec.versions", "[]apiextensions.CustomResourceDefinitionVersion{...}",
                   "must have exactly one version marked as storage version");
  if (served == 0)
    errors.invalid("spec.versions", "[]apiextensions.CustomResourceDefinitionVersion{...}",
                   "must have at least one served version");
}

}  // namespace

void default_custom_resource_definition(ext::CustomResourceDefinition& crd) {
  auto* names = crd.mutable_spec()->mutable_names();
  if (names->singular().empty()) names->set_singular(lower(names->kind()));
  if (names->list_kind().empty() && !names->kind().empty()) names->set_list_kind(names->kind() + "List");
  if (crd.spec().conversion().strategy().empty()) crd.mutable_spec()->mutable_conversion()->set_strategy("None");
}

void check_custom_resource_definition(FieldErrors& errors, const ext::CustomResourceDefinition& crd,
                                      const ext::CustomResourceDefinition* old) {
  const auto& spec = crd.spec();
  std::string expected = spec.names().plural() + "." + spec.group();
  if (crd.metadata().name() != expected)
    errors.invalid("metadata.name", quoted(crd.metadata().name()), "must be spec.names.plural+\".\"+spec.group");
  if (spec.group().empty()) {
    errors.required("spec.group");
  } else {
    each(errors, "spec.group", spec.group(), dns1123_subdomain_errors(spec.group()));
    if (spec.group().find('.') == std::string::npos)
      errors.invalid("spec.group", quoted(spec.group()), "should be a domain with at least one dot");
  }
  if (spec.scope() != "Namespaced" && spec.scope() != "Cluster") {
    if (spec.scope().empty()) errors.required("spec.scope");
    else errors.unsupported("spec.scope", spec.scope(), {"Cluster", "Namespaced"});
  }
  check_names(errors, spec.names(), "spec.names");
  check_versions(errors, spec);
  const std::string& strategy = spec.conversion().strategy();
  if (strategy == "Webhook")
    errors.unsupported("spec.conversion.strategy", strategy, {"None"});  // Skiff calls no conversion webhooks
  else if (strategy != "None")
    errors.unsupported("spec.conversion.strategy", strategy, {"None", "Webhook"});
  if (!old) return;
  if (old->spec().scope() != spec.scope())
    errors.invalid("spec.scope", quoted(spec.scope()), "field is immutable");
  if (old->spec().group() != spec.group())
    errors.invalid("spec.group", quoted(spec.group()), "field is immutable");
}

}  // namespace skiff::apiserver
