// Reflection-driven JSON codec with Kubernetes' rules (see k8s_json.hpp).
#include "skiff/sdk/k8s_json.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>
#include <google/protobuf/stubs/strutil.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <boost/json.hpp>

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/api/options.pb.h"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {
namespace {

namespace pb = google::protobuf;
namespace json = boost::json;

struct FieldInfo {
  const pb::FieldDescriptor* field;
  std::string json_name;
  bool always_emit;
  bool quantities;
};

struct MessageInfo {
  std::vector<FieldInfo> fields;  // declaration order
  std::unordered_map<std::string, const FieldInfo*> by_json_name;
  bool int_or_string = false;
  bool raw_extension = false;
};

// Built once per message type; read concurrently afterwards.
const MessageInfo& info_of(const pb::Descriptor* descriptor) {
  static std::shared_mutex mutex;
  static std::unordered_map<const pb::Descriptor*, std::unique_ptr<MessageInfo>> cache;
  {
    std::shared_lock lock(mutex);
    auto it = cache.find(descriptor);
    if (it != cache.end()) return *it->second;
  }
  auto info = std::make_unique<MessageInfo>();
  info->int_or_string = descriptor == api::meta::v1::IntOrString::descriptor();
  info->raw_extension = descriptor == api::meta::v1::RawExtension::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const pb::FieldDescriptor* field = descriptor->field(i);
    info->fields.push_back({field, field->json_name(), field->options().GetExtension(api::always_emit),
                            field->options().GetExtension(api::quantities)});
  }
  for (const auto& f : info->fields) info->by_json_name[f.json_name] = &f;
  std::unique_lock lock(mutex);
  auto [it, inserted] = cache.emplace(descriptor, std::move(info));
  return *it->second;
}

// ---------- to JSON ----------

json::value scalar_to_json(const pb::Message& m, const pb::Reflection* r, const pb::FieldDescriptor* f, int index) {
  bool repeated = index >= 0;
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32: return repeated ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
    case pb::FieldDescriptor::CPPTYPE_INT64: return repeated ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
    case pb::FieldDescriptor::CPPTYPE_UINT32: return repeated ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
    case pb::FieldDescriptor::CPPTYPE_UINT64: return repeated ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: return repeated ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f);
    case pb::FieldDescriptor::CPPTYPE_FLOAT: return repeated ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f);
    case pb::FieldDescriptor::CPPTYPE_BOOL: return repeated ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f);
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return (repeated ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))->name().c_str();
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      std::string text = repeated ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      if (f->type() == pb::FieldDescriptor::TYPE_BYTES) {
        std::string encoded;
        pb::Base64Escape(text, &encoded);
        return json::string(encoded);
      }
      return json::string(text);
    }
    default: return nullptr;
  }
}

json::value message_to_json(const pb::Message& m);

json::value element_to_json(const pb::Message& m, const pb::Reflection* r, const pb::FieldDescriptor* f, int index) {
  if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE)
    return message_to_json(index >= 0 ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  return scalar_to_json(m, r, f, index);
}

bool is_default(const pb::Message& m, const pb::Reflection* r, const pb::FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32: return r->GetInt32(m, f) == 0;
    case pb::FieldDescriptor::CPPTYPE_INT64: return r->GetInt64(m, f) == 0;
    case pb::FieldDescriptor::CPPTYPE_UINT32: return r->GetUInt32(m, f) == 0;
    case pb::FieldDescriptor::CPPTYPE_UINT64: return r->GetUInt64(m, f) == 0;
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: return r->GetDouble(m, f) == 0;
    case pb::FieldDescriptor::CPPTYPE_FLOAT: return r->GetFloat(m, f) == 0;
    case pb::FieldDescriptor::CPPTYPE_BOOL: return !r->GetBool(m, f);
    case pb::FieldDescriptor::CPPTYPE_ENUM: return r->GetEnumValue(m, f) == 0;
    case pb::FieldDescriptor::CPPTYPE_STRING: return r->GetStringReference(m, f, nullptr).empty();
    default: return !r->HasField(m, f);
  }
}

json::value message_to_json(const pb::Message& m) {
  const MessageInfo& info = info_of(m.GetDescriptor());
  if (info.int_or_string) {
    const auto& ios = static_cast<const api::meta::v1::IntOrString&>(m);
    if (ios.type() == 1) return json::string(ios.str_val());
    return ios.int_val();
  }
  if (info.raw_extension) {
    const std::string& raw = static_cast<const api::meta::v1::RawExtension&>(m).raw();
    if (raw.empty()) return nullptr;
    boost::system::error_code ec;
    json::value document = json::parse(raw, ec);
    return ec ? json::value(nullptr) : document;
  }
  const pb::Reflection* r = m.GetReflection();
  json::object out;
  for (const FieldInfo& fi : info.fields) {
    const pb::FieldDescriptor* f = fi.field;
    if (f->is_map()) {
      int size = r->FieldSize(m, f);
      if (size == 0 && !fi.always_emit) continue;
      const pb::FieldDescriptor* key = f->message_type()->map_key();
      const pb::FieldDescriptor* value = f->message_type()->map_value();
      std::vector<std::pair<std::string, json::value>> entries;
      for (int i = 0; i < size; ++i) {
        const pb::Message& entry = r->GetRepeatedMessage(m, f, i);
        const pb::Reflection* er = entry.GetReflection();
        entries.emplace_back(er->GetString(entry, key), element_to_json(entry, er, value, -1));
      }
      // Go's encoding/json sorts map keys; clients and diffs expect the same.
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      json::object map;
      for (auto& [k, v] : entries) map.emplace(k, std::move(v));
      out.emplace(fi.json_name, std::move(map));
    } else if (f->is_repeated()) {
      int size = r->FieldSize(m, f);
      if (size == 0 && !fi.always_emit) continue;
      json::array array;
      array.reserve(size);
      for (int i = 0; i < size; ++i) array.push_back(element_to_json(m, r, f, i));
      out.emplace(fi.json_name, std::move(array));
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE || f->has_presence()) {
      if (r->HasField(m, f)) out.emplace(fi.json_name, element_to_json(m, r, f, -1));
    } else if (fi.always_emit || !is_default(m, r, f)) {
      out.emplace(fi.json_name, element_to_json(m, r, f, -1));
    }
  }
  return out;
}

// ---------- from JSON ----------

std::string kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: return "an object";
    case json::kind::array: return "an array";
    case json::kind::string: return "a string";
    case json::kind::bool_: return "a boolean";
    case json::kind::null: return "null";
    default: return "a number";
  }
}

[[noreturn]] void type_error(const std::string& path, const char* expected, const json::value& got) {
  throw Error(Status::BadRequest((path.empty() ? std::string("the object") : path) + ": expected " + expected +
                                 ", got " + kind_of(got)));
}

template <class Int>
Int integer_from(const json::value& v, const std::string& path, const char* expected) {
  long double number;
  if (v.is_int64()) number = static_cast<long double>(v.get_int64());
  else if (v.is_uint64()) number = static_cast<long double>(v.get_uint64());
  else if (v.is_double()) number = v.get_double();
  else if (v.is_string() && sizeof(Int) == 8) {  // proto3 JSON spells 64-bit integers as strings
    Int parsed{};
    const auto& s = v.get_string();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec != std::errc() || end != s.data() + s.size()) type_error(path, expected, v);
    return parsed;
  } else type_error(path, expected, v);
  if (std::floor(number) != number || number < static_cast<long double>(std::numeric_limits<Int>::min()) ||
      number > static_cast<long double>(std::numeric_limits<Int>::max()))
    throw Error(Status::BadRequest(path + ": " + json::serialize(v) + " is not " + expected));
  return static_cast<Int>(number);
}

// A JSON number written as a quantity string: 1 → "1", 0.5 → "0.5".
std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.get_double());
  return std::string(buffer, end);
}

void message_from_json(const json::value& v, pb::Message& m, const std::string& path, std::vector<std::string>* unknown);

void set_scalar(pb::Message& m, const pb::FieldDescriptor* f, const json::value& v, const std::string& path,
                bool add, bool quantity) {
  const pb::Reflection* r = m.GetReflection();
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32: {
      auto x = integer_from<int32_t>(v, path, "an integer (int32)");
      add ? r->AddInt32(&m, f, x) : r->SetInt32(&m, f, x);
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_INT64: {
      auto x = integer_from<int64_t>(v, path, "an integer (int64)");
      add ? r->AddInt64(&m, f, x) : r->SetInt64(&m, f, x);
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      auto x = integer_from<uint32_t>(v, path, "a non-negative integer");
      add ? r->AddUInt32(&m, f, x) : r->SetUInt32(&m, f, x);
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      auto x = integer_from<uint64_t>(v, path, "a non-negative integer");
      add ? r->AddUInt64(&m, f, x) : r->SetUInt64(&m, f, x);
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
    case pb::FieldDescriptor::CPPTYPE_FLOAT: {
      if (!v.is_number()) type_error(path, "a number", v);
      double x = v.to_number<double>();
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_DOUBLE) add ? r->AddDouble(&m, f, x) : r->SetDouble(&m, f, x);
      else add ? r->AddFloat(&m, f, static_cast<float>(x)) : r->SetFloat(&m, f, static_cast<float>(x));
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      if (!v.is_bool()) type_error(path, "a boolean", v);
      add ? r->AddBool(&m, f, v.get_bool()) : r->SetBool(&m, f, v.get_bool());
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_STRING: {
      std::string text;
      if (v.is_string()) text = std::string(v.get_string());
      else if (quantity && v.is_number()) text = number_text(v);
      else type_error(path, quantity ? "a quantity such as \"100m\" or \"128Mi\"" : "a string", v);
      if (f->type() == pb::FieldDescriptor::TYPE_BYTES) {
        std::string decoded;
        if (!pb::Base64Unescape(text, &decoded)) throw Error(Status::BadRequest(path + ": not valid base64"));
        text = std::move(decoded);
      }
      add ? r->AddString(&m, f, std::move(text)) : r->SetString(&m, f, std::move(text));
      return;
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      if (!v.is_string()) type_error(path, "a string", v);
      const pb::EnumValueDescriptor* e = f->enum_type()->FindValueByName(std::string(v.get_string()));
      if (!e) throw Error(Status::BadRequest(path + ": unsupported value \"" + std::string(v.get_string()) + "\""));
      add ? r->AddEnum(&m, f, e) : r->SetEnum(&m, f, e);
      return;
    }
    default: throw Error(Status::Internal(path + ": unsupported field type"));
  }
}

void field_from_json(pb::Message& m, const FieldInfo& fi, const json::value& v, const std::string& path,
                     std::vector<std::string>* unknown) {
  const pb::FieldDescriptor* f = fi.field;
  const pb::Reflection* r = m.GetReflection();
  if (v.is_null()) {  // null means "not set", as in Kubernetes
    r->ClearField(&m, f);
    return;
  }
  if (f->is_map()) {
    if (!v.is_object()) type_error(path, "an object", v);
    r->ClearField(&m, f);
    const pb::FieldDescriptor* key = f->message_type()->map_key();
    const pb::FieldDescriptor* value = f->message_type()->map_value();
    for (const auto& [k, item] : v.get_object()) {
      pb::Message* entry = r->AddMessage(&m, f);
      entry->GetReflection()->SetString(entry, key, std::string(k));
      std::string item_path = path + "." + std::string(k);
      if (value->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE)
        message_from_json(item, *entry->GetReflection()->MutableMessage(entry, value), item_path, unknown);
      else if (!item.is_null())
        set_scalar(*entry, value, item, item_path, false, fi.quantities);
    }
  } else if (f->is_repeated()) {
    if (!v.is_array()) type_error(path, "an array", v);
    r->ClearField(&m, f);
    std::size_t index = 0;
    for (const auto& item : v.get_array()) {
      std::string item_path = path + "[" + std::to_string(index++) + "]";
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE)
        message_from_json(item, *r->AddMessage(&m, f), item_path, unknown);
      else
        set_scalar(m, f, item, item_path, true, fi.quantities);
    }
  } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
    message_from_json(v, *r->MutableMessage(&m, f), path, unknown);
  } else {
    set_scalar(m, f, v, path, false, fi.quantities);
  }
}

void message_from_json(const json::value& v, pb::Message& m, const std::string& path, std::vector<std::string>* unknown) {
  const MessageInfo& info = info_of(m.GetDescriptor());
  if (info.int_or_string) {
    auto& ios = static_cast<api::meta::v1::IntOrString&>(m);
    if (v.is_string()) {
      ios.set_type(1);
      ios.set_str_val(std::string(v.get_string()));
    } else if (v.is_number()) {
      ios.set_type(0);
      ios.set_int_val(integer_from<int32_t>(v, path, "an integer or a string"));
    } else {
      type_error(path, "an integer or a string", v);
    }
    return;
  }
  if (info.raw_extension) {
    static_cast<api::meta::v1::RawExtension&>(m).set_raw(json::serialize(v));
    return;
  }
  if (v.is_null()) return;
  if (!v.is_object()) type_error(path, "an object", v);
  for (const auto& [key, item] : v.get_object()) {
    auto it = info.by_json_name.find(std::string(key));
    std::string field_path = path.empty() ? std::string(key) : path + "." + std::string(key);
    if (it == info.by_json_name.end()) {
      if (unknown) unknown->push_back(field_path);
      continue;
    }
    field_from_json(m, *it->second, item, field_path, unknown);
  }
}

// ---------- YAML ----------

json::value yaml_node_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
      json::array array;
      for (const auto& item : node) array.push_back(yaml_node_to_json(item));
      return array;
    }
    case YAML::NodeType::Map: {
      json::object object;
      for (const auto& item : node) object[item.first.as<std::string>()] = yaml_node_to_json(item.second);
      return object;
    }
    case YAML::NodeType::Scalar: break;
  }
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return json::string(text);  // quoted: always a string
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text == "null" || text == "~" || text == "Null" || text == "NULL") return nullptr;
  if (!text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' || text[0] == '+')) {
    std::int64_t integer;
    auto [end, ec] = std::from_chars(text.data() + (text[0] == '+'), text.data() + text.size(), integer);
    if (ec == std::errc() && end == text.data() + text.size()) return integer;
    double real;
    auto [end2, ec2] = std::from_chars(text.data() + (text[0] == '+'), text.data() + text.size(), real);
    if (ec2 == std::errc() && end2 == text.data() + text.size()) return real;
  }
  return json::string(text);
}

}  // namespace

void from_k8s_json(const json::value& value, pb::Message& message, std::vector<std::string>* unknown_fields) {
  message_from_json(value, message, "", unknown_fields);
}

json::value to_k8s_json(const pb::Message& message) { return message_to_json(message); }

json::object to_k8s_object(const pb::Message& message, const ResourceType& type) {
  json::object out;
  out.emplace("apiVersion", type.api_version());
  out.emplace("kind", type.kind);
  json::value body = message_to_json(message);
  for (auto& [key, item] : body.as_object()) out.emplace(key, std::move(item));
  return out;
}

json::value yaml_to_json(std::string_view text) {
  try {
    return yaml_node_to_json(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    throw Error(Status::BadRequest("line " + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg));
  }
}

}  // namespace skiff::sdk
