// Splits a custom object into metadata, body and (with a status subresource) status, and joins
// them back.
#include "custom_object_codec.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "skiff/api/apiextensions/v1/apiextensions.pb.h"
#include "skiff/sdk/k8s_json.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
using api::apiextensions::v1::CustomResourceObject;

void write_canonical(const json::value& value, std::string& out) {
  if (!value.is_object() && !value.is_array()) {
    out += json::serialize(value);
    return;
  }
  if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& item : value.as_array()) {
      if (!first) out += ',';
      first = false;
      write_canonical(item, out);
    }
    out += ']';
    return;
  }
  std::vector<const json::key_value_pair*> members;
  for (const auto& member : value.as_object()) members.push_back(&member);
  std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
  out += '{';
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i) out += ',';
    out += json::serialize(json::string(members[i]->key()));
    out += ':';
    write_canonical(members[i]->value(), out);
  }
  out += '}';
}

json::object parse_raw(const std::string& raw) {
  if (raw.empty()) return {};
  json::error_code ec;
  json::value v = json::parse(raw, ec);
  return !ec && v.is_object() ? v.as_object() : json::object{};
}

}  // namespace

std::string canonical_json(const json::value& value) {
  std::string out;
  write_canonical(value, out);
  return out;
}

MessagePtr custom_object_from_json(const ServedCustomResource& crd, const json::object& object) {
  auto stored = std::make_shared<CustomResourceObject>();
  json::object body;
  bool separate_status = crd.storage_version().status_subresource;
  for (const auto& [key, value] : object) {
    if (key == "apiVersion" || key == "kind") continue;
    if (key == "metadata") {
      if (!value.is_object() && !value.is_null())
        throw ApiError(sdk::Status::BadRequest("metadata must be an object, not " + json_type_name(value)));
      try {
        if (value.is_object()) sdk::from_k8s_json(value, *stored->mutable_metadata());
      } catch (const sdk::Error& e) {
        throw ApiError(sdk::Status::BadRequest("unable to decode the " + crd.kind + "'s metadata: " + e.what()));
      }
      continue;
    }
    if (key == "status" && separate_status) {
      stored->mutable_status()->set_raw(canonical_json(value));
      continue;
    }
    body[key] = value;
  }
  if (!body.empty()) stored->mutable_spec()->set_raw(canonical_json(body));
  return stored;
}

json::object custom_object_to_json(const ServedCustomResource& crd, const google::protobuf::Message& message,
                                   const std::string& version) {
  const auto& stored = static_cast<const CustomResourceObject&>(message);
  json::object out;
  out["apiVersion"] = crd.api_version(version);
  out["kind"] = crd.kind;
  out["metadata"] = sdk::to_k8s_json(stored.metadata());
  for (auto& [key, value] : parse_raw(stored.spec().raw())) out[key] = std::move(value);
  if (!stored.status().raw().empty()) {
    json::error_code ec;
    json::value status = json::parse(stored.status().raw(), ec);
    if (!ec) out["status"] = std::move(status);
  }
  if (const CustomResourceVersion* v = crd.version(version)) {
    json::value whole = std::move(out);
    v->schema->apply_defaults(whole);
    return std::move(whole.as_object());
  }
  return out;
}

}  // namespace skiff::apiserver
