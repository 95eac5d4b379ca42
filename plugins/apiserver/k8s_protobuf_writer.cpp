// Kubernetes JSON written as Kubernetes' protobuf, by the same wire schema the reader uses.
#include <google/protobuf/stubs/strutil.h>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "k8s_protobuf.hpp"
#include "k8s_wire_schema.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void length_delimited(std::string& out, int number, const std::string& payload) {
  varint(out, static_cast<std::uint64_t>(number) << 3 | 2);
  varint(out, payload.size());
  out += payload;
}

void number_field(std::string& out, int number, std::int64_t value) {
  varint(out, static_cast<std::uint64_t>(number) << 3);
  varint(out, static_cast<std::uint64_t>(value));  // negatives as ten bytes, as Go writes them
}

std::string text_of(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

std::int64_t integer_of(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.as_uint64());
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  if (v.is_string()) return std::stoll(std::string(v.as_string()));
  return static_cast<std::int64_t>(v.to_number<double>());
}

std::string encode_message(const json::object& object, const std::string& type);

// Time, Quantity, IntOrString and RawExtension are messages of their own on the wire.
std::string encode_special(const json::value& v, const std::string& type) {
  std::string out;
  if (type == "Time") {
    auto time = sdk::parse_rfc3339(text_of(v));
    if (time) number_field(out, 1, std::chrono::duration_cast<std::chrono::seconds>(time->time_since_epoch()).count());
  } else if (type == "Quantity") {
    length_delimited(out, 1, text_of(v));
  } else if (type == "RawExtension") {  // raw 1: the document's JSON bytes
    length_delimited(out, 1, json::serialize(v));
  } else if (v.is_string()) {  // IntOrString: type 1 (string), strVal 3
    number_field(out, 1, 1);
    length_delimited(out, 3, std::string(v.as_string()));
  } else {
    number_field(out, 1, 0);
    number_field(out, 2, integer_of(v));
  }
  return out;
}

void encode_one(std::string& out, int number, const json::value& v, const std::string& type) {
  if (type == "string") return length_delimited(out, number, text_of(v));
  if (type == "bytes") {
    std::string raw;
    if (!google::protobuf::Base64Unescape(text_of(v), &raw))
      throw ApiError(sdk::Status::BadRequest("field of type bytes is not base64: " + text_of(v)));
    return length_delimited(out, number, raw);
  }
  if (type == "bool" || type == "int32" || type == "int64") return number_field(out, number, integer_of(v));
  if (type == "Time" || type == "Quantity" || type == "IntOrString" || type == "RawExtension")
    return length_delimited(out, number, encode_special(v, type));
  if (!v.is_object()) return;
  length_delimited(out, number, encode_message(v.as_object(), type));
}

std::string encode_message(const json::object& object, const std::string& type) {
  const WireMessage* fields = wire_message(type);
  if (!fields) throw ApiError(sdk::Status::Internal("no wire schema for " + type));
  std::string out;
  for (const auto& [number, f] : *fields) {
    if (f.inline_) {  // Go's embedded struct: its fields are this object's
      std::string inner = encode_message(object, f.type);
      if (!inner.empty()) length_delimited(out, number, inner);
      continue;
    }
    const json::value* v = object.if_contains(f.json);
    if (!v || v->is_null()) continue;
    if (f.type.rfind("map:", 0) == 0 && v->is_object()) {
      for (const auto& [key, value] : v->as_object()) {
        std::string entry;
        length_delimited(entry, 1, std::string(key));
        encode_one(entry, 2, value, f.type.substr(4));
        length_delimited(out, number, entry);
      }
    } else if (f.repeated && v->is_array()) {
      for (const auto& item : v->as_array()) encode_one(out, number, item, f.type);
    } else {
      encode_one(out, number, *v, f.type);
    }
  }
  return out;
}

}  // namespace

std::string encode_k8s_protobuf(const json::value& object) {
  const json::object& o = object.as_object();
  std::string api_version = o.contains("apiVersion") ? text_of(o.at("apiVersion")) : "";
  std::string kind = o.contains("kind") ? text_of(o.at("kind")) : "";
  std::string key = wire_kind(api_version, kind);
  if (key.empty())
    throw ApiError(sdk::Status{415, "UnsupportedMediaType", "no protobuf wire schema for " + kind});
  std::string type_meta, unknown;
  length_delimited(type_meta, 1, api_version);
  length_delimited(type_meta, 2, kind);
  length_delimited(unknown, 1, type_meta);
  length_delimited(unknown, 2, encode_message(o, key));
  length_delimited(unknown, 3, "");
  length_delimited(unknown, 4, "");
  return std::string("k8s\0", 4) + unknown;
}

}  // namespace skiff::apiserver
