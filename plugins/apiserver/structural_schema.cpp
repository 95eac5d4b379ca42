// Walks a JSON value and its schema together. Messages follow kube-openapi's validate package
// as the Kubernetes API server prints them for custom resources.
#include "structural_schema.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

#include <boost/json.hpp>

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

const json::object* as_object(const json::value* v) { return v && v->is_object() ? &v->as_object() : nullptr; }

const json::value* keyword(const json::value& schema, const char* name) {
  const json::object* s = as_object(&schema);
  return s ? s->if_contains(name) : nullptr;
}

bool flag(const json::value& schema, const char* name) {
  const json::value* v = keyword(schema, name);
  return v && v->is_bool() && v->as_bool();
}

std::string string_keyword(const json::value& schema, const char* name) {
  const json::value* v = keyword(schema, name);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_double()) {
    double d = v.as_double();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    return json::serialize(v);
  }
  return json::serialize(v);
}

bool is_number(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
double number_of(const json::value& v) { return v.is_int64() ? double(v.as_int64()) : v.is_uint64() ? double(v.as_uint64()) : v.as_double(); }
bool is_integer(const json::value& v) {
  return v.is_int64() || v.is_uint64() || (v.is_double() && std::floor(v.as_double()) == v.as_double());
}

bool has_type(const json::value& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return is_integer(value);
  if (type == "number") return is_number(value);
  if (type == "boolean") return value.is_bool();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  return true;
}

// Cheap checks for the formats Kubernetes users meet most.
bool matches_format(const std::string& format, const std::string& text) {
  static const std::regex date_time(R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  static const std::regex date(R"(^\d{4}-\d{2}-\d{2}$)");
  static const std::regex uuid(R"(^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$)");
  static const std::regex ipv4(R"(^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$)");
  if (format == "date-time") return std::regex_match(text, date_time);
  if (format == "date") return std::regex_match(text, date);
  if (format == "uuid") return std::regex_match(text, uuid);
  if (format == "ipv4") return std::regex_match(text, ipv4);
  return true;
}

class Validator {
 public:
  explicit Validator(FieldErrors& errors) : errors_(errors) {}

  void check(const json::value& schema, const json::value& value, const std::string& path) {
    if (!schema.is_object()) return;
    if (value.is_null()) {
      if (!flag(schema, "nullable") && !string_keyword(schema, "type").empty())
        errors_.invalid(path, "\"null\"", path + " in body must be of type " + string_keyword(schema, "type") + ": \"null\"");
      return;
    }
    if (!check_type(schema, value, path)) return;
    check_enum(schema, value, path);
    if (is_number(value)) check_number(schema, value, path);
    if (value.is_string()) check_string(schema, value.as_string().c_str(), path);
    if (value.is_array()) check_array(schema, value.as_array(), path);
    if (value.is_object()) check_object(schema, value.as_object(), path);
  }

 private:
  bool check_type(const json::value& schema, const json::value& value, const std::string& path) {
    if (flag(schema, "x-kubernetes-int-or-string")) {
      if (is_integer(value) || value.is_string()) return true;
      errors_.invalid(path, quoted(json_type_name(value)),
                      path + " in body must be of type integer,string: " + quoted(json_type_name(value)));
      return false;
    }
    std::string type = string_keyword(schema, "type");
    if (type.empty() || has_type(value, type)) return true;
    errors_.invalid(path, quoted(json_type_name(value)),
                    path + " in body must be of type " + type + ": " + quoted(json_type_name(value)));
    return false;
  }

  void check_enum(const json::value& schema, const json::value& value, const std::string& path) {
    const json::value* values = keyword(schema, "enum");
    if (!values || !values->is_array()) return;
    for (const auto& allowed : values->as_array())
      if (allowed == value) return;
    std::vector<std::string> supported;
    for (const auto& allowed : values->as_array())
      supported.push_back(allowed.is_string() ? std::string(allowed.as_string()) : json::serialize(allowed));
    std::string shown = value.is_string() ? quoted(std::string(value.as_string())) : json::serialize(value);
    std::string list;
    for (const auto& allowed : values->as_array()) list += (list.empty() ? "" : ", ") + json::serialize(allowed);
    errors_.add("FieldValueNotSupported", path, "Unsupported value: " + shown + ": supported values: " + list);
  }

  void check_number(const json::value& schema, const json::value& value, const std::string& path) {
    double n = number_of(value);
    if (const json::value* min = keyword(schema, "minimum"); min && is_number(*min)) {
      bool exclusive = flag(schema, "exclusiveMinimum");
      if (exclusive ? n <= number_of(*min) : n < number_of(*min))
        errors_.invalid(path, number_text(value), path + " in body should be greater than " +
                                                      (exclusive ? "" : "or equal to ") + number_text(*min));
    }
    if (const json::value* max = keyword(schema, "maximum"); max && is_number(*max)) {
      bool exclusive = flag(schema, "exclusiveMaximum");
      if (exclusive ? n >= number_of(*max) : n > number_of(*max))
        errors_.invalid(path, number_text(value), path + " in body should be less than " +
                                                      (exclusive ? "" : "or equal to ") + number_text(*max));
    }
    if (const json::value* m = keyword(schema, "multipleOf"); m && is_number(*m) && number_of(*m) > 0) {
      double q = n / number_of(*m);
      if (std::fabs(q - std::round(q)) > 1e-9)
        errors_.invalid(path, number_text(value), path + " in body should be a multiple of " + number_text(*m));
    }
  }

  void check_string(const json::value& schema, const std::string& text, const std::string& path) {
    std::size_t length = count_runes(text);
    if (const json::value* max = keyword(schema, "maxLength"); max && is_integer(*max) && length > number_of(*max))
      errors_.add("FieldValueTooLong", path,
                  "Too long: may not be more than " + number_text(*max) + " bytes");
    if (const json::value* min = keyword(schema, "minLength"); min && is_integer(*min) && length < number_of(*min))
      errors_.invalid(path, quoted(text), path + " in body should be at least " + number_text(*min) + " chars long");
    std::string pattern = string_keyword(schema, "pattern");
    if (!pattern.empty()) {
      try {
        if (!std::regex_search(text, std::regex(pattern, std::regex::ECMAScript)))
          errors_.invalid(path, quoted(text), path + " in body should match '" + pattern + "'");
      } catch (const std::regex_error&) {
        // Refused when the CRD was created; an old stored CRD with a bad pattern checks nothing.
      }
    }
    std::string format = string_keyword(schema, "format");
    if (!format.empty() && !matches_format(format, text))
      errors_.invalid(path, quoted(text), path + " in body must be of type " + format + ": " + quoted(text));
  }

  void check_array(const json::value& schema, const json::array& items, const std::string& path) {
    if (const json::value* max = keyword(schema, "maxItems"); max && is_integer(*max) && items.size() > number_of(*max))
      errors_.too_many(path, items.size(), static_cast<std::size_t>(number_of(*max)));
    if (const json::value* min = keyword(schema, "minItems"); min && is_integer(*min) && items.size() < number_of(*min))
      errors_.invalid(path, std::to_string(items.size()),
                      path + " in body should have at least " + number_text(*min) + " items");
    if (flag(schema, "uniqueItems"))
      for (std::size_t i = 0; i < items.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
          if (items[i] == items[j]) errors_.duplicate(index(path, i), json::serialize(items[i]));
    const json::value* item_schema = keyword(schema, "items");
    if (!item_schema) return;
    for (std::size_t i = 0; i < items.size(); ++i) check(*item_schema, items[i], index(path, i));
  }

  void check_object(const json::value& schema, const json::object& object, const std::string& path) {
    if (const json::value* required = keyword(schema, "required"); required && required->is_array())
      for (const auto& name : required->as_array())
        if (name.is_string() && !object.contains(name.as_string()))
          errors_.required(join(path, std::string(name.as_string())));
    if (const json::value* max = keyword(schema, "maxProperties"); max && is_integer(*max) && object.size() > number_of(*max))
      errors_.too_many(path, object.size(), static_cast<std::size_t>(number_of(*max)));
    if (const json::value* min = keyword(schema, "minProperties"); min && is_integer(*min) && object.size() < number_of(*min))
      errors_.invalid(path, std::to_string(object.size()),
                      path + " in body should have at least " + number_text(*min) + " properties");
    const json::object* properties = as_object(keyword(schema, "properties"));
    const json::value* additional = keyword(schema, "additionalProperties");
    for (const auto& [key, value] : object) {
      std::string child = join(path, std::string(key));
      if (properties) {
        if (const json::value* p = properties->if_contains(key)) {
          check(*p, value, child);
          continue;
        }
      }
      if (additional && additional->is_object()) check(*additional, value, child);
    }
  }

  static std::size_t count_runes(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
  }

  FieldErrors& errors_;
};

void default_into(const json::value& schema, json::value& value) {
  if (!schema.is_object()) return;
  if (value.is_object()) {
    json::object& object = value.as_object();
    if (const json::object* properties = as_object(keyword(schema, "properties"))) {
      for (const auto& [key, property] : *properties) {
        const json::value* fallback = keyword(property, "default");
        auto* present = object.if_contains(key);
        // A null in place of a non-nullable field with a default gets the default, as Kubernetes does.
        if (fallback && (!present || (present->is_null() && !flag(property, "nullable")))) object[key] = *fallback;
      }
      for (auto& [key, child] : object)
        if (const json::value* p = properties->if_contains(key)) default_into(*p, child);
    }
    if (const json::value* additional = keyword(schema, "additionalProperties"); additional && additional->is_object())
      for (auto& [key, child] : object)
        if (!as_object(keyword(schema, "properties")) || !as_object(keyword(schema, "properties"))->contains(key))
          default_into(*additional, child);
  } else if (value.is_array()) {
    if (const json::value* items = keyword(schema, "items"))
      for (auto& child : value.as_array()) default_into(*items, child);
  }
}

// An embedded resource keeps apiVersion, kind and metadata whatever its properties say.
bool kept_by_kubernetes(const json::value& schema, std::string_view key) {
  return flag(schema, "x-kubernetes-embedded-resource") && (key == "apiVersion" || key == "kind" || key == "metadata");
}

void prune_into(const json::value& schema, json::value& value, const std::string& path, std::vector<std::string>& pruned) {
  if (!schema.is_object()) return;
  if (value.is_object()) {
    json::object& object = value.as_object();
    const json::object* properties = as_object(keyword(schema, "properties"));
    const json::value* additional = keyword(schema, "additionalProperties");
    bool keep_unknown = flag(schema, "x-kubernetes-preserve-unknown-fields") || (additional && !additional->is_bool()) ||
                        (additional && additional->is_bool() && additional->as_bool());
    for (auto it = object.begin(); it != object.end();) {
      std::string key(it->key());
      const json::value* p = properties ? properties->if_contains(key) : nullptr;
      if (p) {
        prune_into(*p, it->value(), join(path, key), pruned);
      } else if (additional && additional->is_object()) {
        prune_into(*additional, it->value(), join(path, key), pruned);
      } else if (!keep_unknown && !kept_by_kubernetes(schema, key)) {
        pruned.push_back(join(path, key));
        it = object.erase(it);
        continue;
      }
      ++it;
    }
  } else if (value.is_array()) {
    if (const json::value* items = keyword(schema, "items")) {
      auto& array = value.as_array();
      for (std::size_t i = 0; i < array.size(); ++i) prune_into(*items, array[i], index(path, i), pruned);
    }
  }
}

// The schema below the root, for the object's own fields (apiVersion, kind and metadata are
// the API server's, whatever the root names).
bool is_root_meta(std::string_view key) { return key == "apiVersion" || key == "kind" || key == "metadata"; }

}  // namespace

std::string json_type_name(const json::value& value) {
  if (value.is_string()) return "string";
  if (value.is_int64() || value.is_uint64()) return "integer";
  if (value.is_double()) return is_integer(value) ? "integer" : "number";
  if (value.is_bool()) return "boolean";
  if (value.is_object()) return "object";
  if (value.is_array()) return "array";
  return "null";
}

StructuralSchema::StructuralSchema(json::value schema) : schema_(std::move(schema)) {}

void StructuralSchema::validate(const json::value& object, FieldErrors& errors) const {
  if (!schema_.is_object() || !object.is_object()) return;
  Validator validator(errors);
  const json::object* properties = as_object(keyword(schema_, "properties"));
  if (const json::value* required = keyword(schema_, "required"); required && required->is_array())
    for (const auto& name : required->as_array())
      if (name.is_string() && !is_root_meta(name.as_string()) && !object.as_object().contains(name.as_string()))
        errors.required(std::string(name.as_string()));
  for (const auto& [key, value] : object.as_object()) {
    if (is_root_meta(key) || !properties) continue;
    if (const json::value* p = properties->if_contains(key)) validator.check(*p, value, std::string(key));
  }
}

void StructuralSchema::apply_defaults(json::value& object) const {
  if (!schema_.is_object() || !object.is_object()) return;
  json::value metadata;
  json::object& o = object.as_object();
  // Defaults never touch metadata; apiVersion and kind are set by the API server.
  if (auto* m = o.if_contains("metadata")) metadata = std::move(*m);
  default_into(schema_, object);
  if (!metadata.is_null()) o["metadata"] = std::move(metadata);
}

std::vector<std::string> StructuralSchema::prune(json::value& object) const {
  std::vector<std::string> pruned;
  if (!schema_.is_object() || !object.is_object()) return pruned;
  json::object& o = object.as_object();
  json::object kept;
  for (const char* key : {"apiVersion", "kind", "metadata"})
    if (auto* v = o.if_contains(key)) kept[key] = std::move(*v);
  for (const char* key : {"apiVersion", "kind", "metadata"}) o.erase(key);
  prune_into(schema_, object, "", pruned);
  for (auto& [key, value] : kept) o[key] = std::move(value);
  std::sort(pruned.begin(), pruned.end());
  return pruned;
}

}  // namespace skiff::apiserver
