// Kubernetes' protobuf bodies to Kubernetes JSON and back, driven by the one wire schema (k8s_wire_schema).
#include "k8s_protobuf.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/strutil.h>
#include <google/protobuf/wire_format_lite.h>

#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "k8s_wire_schema.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace pbio = google::protobuf::io;
using google::protobuf::internal::WireFormatLite;

using Field = WireField;

[[noreturn]] void broken(const std::string& why) {
  throw ApiError(sdk::Status::BadRequest("the protobuf body is not valid: " + why));
}

// ReadTag answers 0 both at the end and on a broken tag; only the end is fine.
void require_clean_end(pbio::CodedInputStream& in, const std::string& what) {
  if (!in.ConsumedEntireMessage()) broken("unreadable tag in " + what);
}

std::string read_bytes(pbio::CodedInputStream& in) {
  std::string out;
  uint32_t length;
  if (!in.ReadVarint32(&length) || !in.ReadString(&out, static_cast<int>(length))) broken("truncated field");
  return out;
}

json::value decode_message(const std::string& bytes, const std::string& type);

// A RawExtension's raw bytes are the embedded JSON document (a ControllerRevision's data).
json::value raw_document(const std::string& raw) {
  if (raw.empty()) return nullptr;
  boost::system::error_code ec;
  json::value document = json::parse(raw, ec);
  if (ec) broken("a RawExtension's raw bytes are not JSON: " + ec.message());
  return document;
}

// Time, Quantity, IntOrString and RawExtension have JSON forms of their own.
json::value decode_special(const std::string& bytes, const std::string& type) {
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
  std::int64_t seconds = 0, int_value = 0, kind = 0;
  std::string text;
  while (uint32_t tag = in.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    auto wire = WireFormatLite::GetTagWireType(tag);
    if (wire == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v;
      if (!in.ReadVarint64(&v)) broken("truncated varint");
      if (type == "Time" && number == 1) seconds = static_cast<std::int64_t>(v);
      if (type == "IntOrString" && number == 1) kind = static_cast<std::int64_t>(v);
      if (type == "IntOrString" && number == 2) int_value = static_cast<std::int32_t>(v);
    } else if (wire == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      std::string s = read_bytes(in);
      if ((type == "Quantity" && number == 1) || (type == "IntOrString" && number == 3) ||
          (type == "RawExtension" && number == 1))
        text = s;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      broken("unreadable field in " + type);
    }
  }
  require_clean_end(in, type);
  if (type == "Time")  // Go encodes its zero time as an empty message: that means "unset"
    return seconds == 0 ? json::value(nullptr) : json::value(json::string(sdk::format_rfc3339(sdk::WallClock::from_time_t(seconds))));
  if (type == "Quantity") return json::string(text);
  if (type == "RawExtension") return raw_document(text);
  return kind == 1 ? json::value(json::string(text)) : json::value(int_value);
}

json::value decode_map_entry_value(const std::string& entry, const std::string& value_type, std::string& key) {
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(entry.data()), static_cast<int>(entry.size()));
  json::value value = json::string();
  while (uint32_t tag = in.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) broken("unreadable map entry");
      continue;
    }
    std::string s = read_bytes(in);
    if (number == 1) key = s;
    else if (value_type == "Quantity" || value_type == "Time") value = decode_special(s, value_type);
    else if (wire_message(value_type)) value = decode_message(s, value_type);
    else if (value_type == "bytes") {
      std::string encoded;
      google::protobuf::Base64Escape(s, &encoded);
      value = json::string(encoded);
    } else value = json::string(s);
  }
  require_clean_end(in, "a map entry");
  return value;
}

json::value scalar(uint64_t v, const std::string& type) {
  if (type == "bool") return v != 0;
  if (type == "int32") return static_cast<std::int32_t>(v);
  return static_cast<std::int64_t>(v);
}

void put(json::object& out, const Field& f, json::value v) {
  if (v.is_null()) return;
  if (f.repeated) {
    json::value& list = out[f.json];
    if (!list.is_array()) list = json::array();
    list.as_array().push_back(std::move(v));
  } else {
    out[f.json] = std::move(v);
  }
}

void decode_into(json::object& out, const std::string& bytes, const std::string& type) {
  const WireMessage* found = wire_message(type);
  if (!found) broken("no schema for " + type);
  const auto& fields = *found;
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
  while (uint32_t tag = in.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    auto wire = WireFormatLite::GetTagWireType(tag);
    auto it = fields.find(number);
    if (it == fields.end()) {  // a field Skiff does not model: skipped, as unknown JSON fields are
      if (!WireFormatLite::SkipField(&in, tag)) broken("unreadable field " + std::to_string(number) + " of " + type);
      continue;
    }
    const Field& f = it->second;
    if (wire == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v;
      if (!in.ReadVarint64(&v)) broken("truncated varint");
      put(out, f, scalar(v, f.type));
      continue;
    }
    if (wire != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) broken("unreadable field");
      continue;
    }
    std::string payload = read_bytes(in);
    if (f.type.rfind("map:", 0) == 0) {
      std::string key;
      json::value value = decode_map_entry_value(payload, f.type.substr(4), key);
      json::value& map = out[f.json];
      if (!map.is_object()) map = json::object();
      if (!value.is_null()) map.as_object()[key] = std::move(value);  // Go's zero time: no entry
    } else if (f.type == "string") {
      put(out, f, json::string(payload));
    } else if (f.type == "bytes") {
      std::string encoded;
      google::protobuf::Base64Escape(payload, &encoded);
      put(out, f, json::string(encoded));
    } else if (f.type == "int32" || f.type == "int64" || f.type == "bool") {  // packed repeated scalars
      pbio::CodedInputStream packed(reinterpret_cast<const uint8_t*>(payload.data()), static_cast<int>(payload.size()));
      uint64_t v;
      while (packed.ReadVarint64(&v)) put(out, f, scalar(v, f.type));
    } else if (f.type == "Time" || f.type == "Quantity" || f.type == "IntOrString" || f.type == "RawExtension") {
      put(out, f, decode_special(payload, f.type));
    } else if (f.inline_) {
      decode_into(out, payload, f.type);  // Go embedded struct: its fields sit at this level
    } else {
      put(out, f, decode_message(payload, f.type));
    }
  }
  require_clean_end(in, type);
}

json::value decode_message(const std::string& bytes, const std::string& type) {
  json::object out;
  decode_into(out, bytes, type);
  return out;
}

}  // namespace

json::value decode_k8s_protobuf(const std::string& body) {
  static const std::string kMagic("k8s\0", 4);
  if (body.compare(0, 4, kMagic) != 0) broken("it lacks the k8s envelope");
  std::string envelope = body.substr(4);
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(envelope.data()), static_cast<int>(envelope.size()));
  std::string api_version, kind, raw;
  while (uint32_t tag = in.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) broken("unreadable envelope");
      continue;
    }
    std::string payload = read_bytes(in);
    if (number == 2) raw = payload;
    if (number == 1) {  // runtime.TypeMeta
      pbio::CodedInputStream meta(reinterpret_cast<const uint8_t*>(payload.data()), static_cast<int>(payload.size()));
      while (uint32_t t = meta.ReadTag()) {
        if (WireFormatLite::GetTagWireType(t) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
          if (!WireFormatLite::SkipField(&meta, t)) broken("unreadable TypeMeta");
          continue;
        }
        std::string s = read_bytes(meta);
        if (WireFormatLite::GetTagFieldNumber(t) == 1) api_version = s;
        if (WireFormatLite::GetTagFieldNumber(t) == 2) kind = s;
      }
      require_clean_end(meta, "TypeMeta");
    }
  }
  require_clean_end(in, "the envelope");
  std::string key = wire_kind(api_version, kind);
  if (key.empty())
    throw ApiError(sdk::Status{415, "UnsupportedMediaType",
                               "protobuf bodies are understood for " + wire_kinds_text() + "; send " +
                                   (kind.empty() ? std::string("this object") : kind) + " as application/json"});
  json::object object;
  object["apiVersion"] = api_version;
  object["kind"] = kind;
  decode_into(object, raw, key);
  return object;
}

}  // namespace skiff::apiserver
