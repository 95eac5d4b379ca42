// /openapi/v2 as protobuf: the JSON document rewritten as gnostic's OpenAPIv2 messages, the form
// kubectl asks for (see openapi_documents.hpp).
#include <boost/json.hpp>

#include "openapi_documents.hpp"
#include "skiff/openapi/v2/gnostic.pb.h"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace g = openapi::v2;

bool is_extension(json::string_view key) { return key.size() > 2 && key[0] == 'x' && key[1] == '-'; }

std::string text_of(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

// gnostic keeps vendor extensions as YAML text; JSON is YAML.
std::string key_text(json::string_view key) { return std::string(key.data(), key.size()); }

void add_extension(google::protobuf::RepeatedPtrField<g::NamedAny>& out, json::string_view name, const json::value& v) {
  g::NamedAny* any = out.Add();
  any->set_name(key_text(name));
  any->mutable_value()->set_yaml(json::serialize(v));
}

void fill_schema(const json::object& in, g::Schema& out);

void fill_schemas(const json::value& in, google::protobuf::RepeatedPtrField<g::Schema>& out) {
  if (in.is_object()) return fill_schema(in.as_object(), *out.Add());
  if (in.is_array())
    for (const auto& each : in.as_array())
      if (each.is_object()) fill_schema(each.as_object(), *out.Add());
}

void fill_schema(const json::object& in, g::Schema& out) {
  for (const auto& [key, v] : in) {
    if (key == "$ref") out.set__ref(text_of(v));
    else if (key == "format") out.set_format(text_of(v));
    else if (key == "title") out.set_title(text_of(v));
    else if (key == "description") out.set_description(text_of(v));
    else if (key == "default") out.mutable_default_()->set_yaml(json::serialize(v));
    else if (key == "readOnly" && v.is_bool()) out.set_read_only(v.as_bool());
    else if (key == "type") {
      if (v.is_array())
        for (const auto& t : v.as_array()) out.mutable_type()->add_value(text_of(t));
      else out.mutable_type()->add_value(text_of(v));
    } else if (key == "required" && v.is_array()) {
      for (const auto& name : v.as_array()) out.add_required(text_of(name));
    } else if (key == "additionalProperties") {
      if (v.is_bool()) out.mutable_additional_properties()->set_boolean(v.as_bool());
      else if (v.is_object()) fill_schema(v.as_object(), *out.mutable_additional_properties()->mutable_schema());
    } else if (key == "items") {
      fill_schemas(v, *out.mutable_items()->mutable_schema());
    } else if (key == "allOf") {
      fill_schemas(v, *out.mutable_all_of());
    } else if (key == "properties" && v.is_object()) {
      g::Properties* properties = out.mutable_properties();  // present even when empty: an object of no fields
      for (const auto& [name, schema] : v.as_object()) {
        g::NamedSchema* named = properties->add_additional_properties();
        named->set_name(key_text(name));
        if (schema.is_object()) fill_schema(schema.as_object(), *named->mutable_value());
      }
    } else if (is_extension(key)) {
      add_extension(*out.mutable_vendor_extension(), key, v);
    }
  }
}

void fill_operation(const json::object& in, g::Operation& out) {
  for (const auto& [key, v] : in) {
    if (key == "description") out.set_description(text_of(v));
    else if (key == "operationId") out.set_operation_id(text_of(v));
    else if (key == "produces" && v.is_array())
      for (const auto& type : v.as_array()) out.add_produces(text_of(type));
    else if (key == "responses" && v.is_object())
      for (const auto& [code, response] : v.as_object()) {
        g::NamedResponseValue* named = out.mutable_responses()->add_response_code();
        named->set_name(key_text(code));
        g::Response* r = named->mutable_value()->mutable_response();
        const json::object& fields = response.as_object();
        if (const auto* d = fields.if_contains("description")) r->set_description(text_of(*d));
        if (const auto* s = fields.if_contains("schema"); s && s->is_object())
          fill_schema(s->as_object(), *r->mutable_schema()->mutable_schema());
      }
    else if (is_extension(key)) add_extension(*out.mutable_vendor_extension(), key, v);
  }
}

void fill_path(const json::object& in, g::PathItem& out) {
  for (const auto& [method, op] : in) {
    if (!op.is_object()) continue;
    g::Operation* target = method == "get"      ? out.mutable_get()
                           : method == "put"    ? out.mutable_put()
                           : method == "post"   ? out.mutable_post()
                           : method == "delete" ? out.mutable_delete_()
                           : method == "patch"  ? out.mutable_patch()
                                                : nullptr;
    if (target) fill_operation(op.as_object(), *target);
  }
}

}  // namespace

std::string openapi_v2_protobuf(const json::object& v2_document) {
  g::Document doc;
  if (const auto* swagger = v2_document.if_contains("swagger")) doc.set_swagger(text_of(*swagger));
  if (const auto* info = v2_document.if_contains("info"); info && info->is_object()) {
    if (const auto* title = info->as_object().if_contains("title")) doc.mutable_info()->set_title(text_of(*title));
    if (const auto* version = info->as_object().if_contains("version")) doc.mutable_info()->set_version(text_of(*version));
  }
  doc.mutable_paths();
  if (const auto* paths = v2_document.if_contains("paths"); paths && paths->is_object())
    for (const auto& [name, item] : paths->as_object()) {
      g::NamedPathItem* named = doc.mutable_paths()->add_path();
      named->set_name(key_text(name));
      if (item.is_object()) fill_path(item.as_object(), *named->mutable_value());
    }
  if (const auto* definitions = v2_document.if_contains("definitions"); definitions && definitions->is_object())
    for (const auto& [name, schema] : definitions->as_object()) {
      g::NamedSchema* named = doc.mutable_definitions()->add_additional_properties();
      named->set_name(key_text(name));
      if (schema.is_object()) fill_schema(schema.as_object(), *named->mutable_value());
    }
  return doc.SerializeAsString();
}

}  // namespace skiff::apiserver
