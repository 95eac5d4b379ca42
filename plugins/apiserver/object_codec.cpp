// The HTTP API's view of objects: JSON in and out, with Kubernetes' error texts.
#include "object_codec.hpp"

#include <boost/json.hpp>

#include "api_error.hpp"
#include "k8s_protobuf.hpp"
#include "patch.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/sdk/k8s_json.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace apps = api::apps::v1;

std::string cannot_handle(const sdk::ResourceType& type) {
  return type.kind + " in version \"" + type.version + "\" cannot be handled as a " + type.kind + ": ";
}

std::string kind_mismatch(const std::string& kind, const sdk::ResourceType& type) {
  std::string message = "the kind in the data (" + kind + ") does not match the expected kind (" + type.kind + ")";
  // kubectl 1.20 and 1.21 debug with Kubernetes 1.21's pods/ephemeralcontainers; 1.22 made it a Pod.
  if (kind == "EphemeralContainers" && type.kind == "Pod")
    message += ": pods/ephemeralcontainers takes a Pod since Kubernetes 1.22; use kubectl 1.22 or later for kubectl debug";
  return message;
}

}  // namespace

json::value parse_body(const std::string& body, const std::string& content_type) {
  // kubectl 1.27+ sends typed creates in Kubernetes' own protobuf.
  if (content_type.find("application/vnd.kubernetes.protobuf") != std::string::npos) return decode_k8s_protobuf(body);
  if (content_type.find("cbor") != std::string::npos)
    throw ApiError(sdk::Status{415, "UnsupportedMediaType",
                               "the body of the request was in an unknown format - accepted media types include: "
                               "application/json, application/yaml, application/vnd.kubernetes.protobuf"});
  bool yaml = content_type.find("yaml") != std::string::npos;
  if (yaml) return sdk::yaml_to_json(body);
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) {
    // Some clients send YAML as JSON; Kubernetes accepts either.
    try {
      json::value fallback = sdk::yaml_to_json(body);
      if (fallback.is_object()) return fallback;
    } catch (const sdk::Error&) {
    }
    throw ApiError(sdk::Status::BadRequest("the request body is not valid JSON: " + ec.message()));
  }
  return value;
}

MessagePtr decode_object(const sdk::ResourceType& type, const json::value& body, const std::string& field_validation,
                         std::vector<std::string>& warnings) {
  if (!body.is_object())
    throw ApiError(sdk::Status::BadRequest(cannot_handle(type) + "the request body must be a JSON object"));
  json::object object = body.as_object();
  if (const auto* version = object.if_contains("apiVersion"); version && version->is_string() &&
                                                              version->as_string() != type.api_version())
    throw ApiError(sdk::Status::BadRequest("the API version in the data (" + std::string(version->as_string()) +
                                           ") does not match the expected API version (" + type.api_version() + ")"));
  if (const auto* kind = object.if_contains("kind"); kind && kind->is_string() && kind->as_string() != type.kind)
    throw ApiError(sdk::Status::BadRequest(kind_mismatch(std::string(kind->as_string()), type)));
  object.erase("apiVersion");
  object.erase("kind");
  MessagePtr message(type.new_object().release());
  std::vector<std::string> unknown;
  try {
    sdk::from_k8s_json(object, *message, &unknown);
  } catch (const sdk::Error& e) {
    throw ApiError(sdk::Status::BadRequest(cannot_handle(type) + e.what()));
  }
  if (!unknown.empty() && field_validation != "Ignore") {
    if (field_validation == "Strict") {
      std::string fields;
      for (const auto& u : unknown) fields += (fields.empty() ? "" : ", ") + std::string("unknown field ") + quoted(u);
      throw ApiError(sdk::Status::BadRequest(cannot_handle(type) + "strict decoding error: " + fields));
    }
    for (const auto& u : unknown) warnings.push_back("unknown field " + quoted(u));
  }
  return message;
}

json::object encode_object(const google::protobuf::Message& object, const sdk::ResourceType& type) {
  return sdk::to_k8s_object(object, type);
}

PatchType patch_type_of(const std::string& content_type) {
  std::string base = content_type.substr(0, content_type.find(';'));
  if (base == "application/merge-patch+json") return PatchType::Merge;
  if (base == "application/json-patch+json") return PatchType::Json;
  if (base == "application/strategic-merge-patch+json") return PatchType::Strategic;
  if (base == "application/apply-patch+yaml" || base == "application/apply-patch+json") return PatchType::Apply;
  throw ApiError(sdk::Status{415, "UnsupportedMediaType",
                             "the body of the request was in an unknown format - accepted media types include: "
                             "application/json-patch+json, application/merge-patch+json, "
                             "application/strategic-merge-patch+json, application/apply-patch+yaml"});
}

MessagePtr patch_object(const sdk::ResourceType& type, const google::protobuf::Message& current, PatchType kind,
                        const json::value& patch, const std::string& field_validation,
                        std::vector<std::string>& warnings) {
  json::value document = encode_object(current, type);
  switch (kind) {
    case PatchType::Merge: document = apply_merge_patch(std::move(document), patch); break;
    case PatchType::Json: document = apply_json_patch(std::move(document), patch); break;
    // Server-side apply, simplified: the applied configuration is merged like a strategic patch
    // (no per-manager field ownership yet).
    case PatchType::Apply:
    case PatchType::Strategic: document = apply_strategic_merge_patch(std::move(document), patch, type.descriptor); break;
  }
  return decode_object(type, document, field_validation, warnings);
}

json::object scale_of(const sdk::ResourceType& type, const google::protobuf::Message& workload) {
  const auto& meta = sdk::meta_of(workload);
  std::int32_t desired = 0, current = 0;
  std::string selector;
  if (type.kind == "Deployment") {
    const auto& d = static_cast<const apps::Deployment&>(workload);
    desired = d.spec().replicas();
    current = d.status().replicas();
    selector = sdk::LabelSelector::from_proto(d.spec().selector()).to_string();
  } else if (type.kind == "StatefulSet") {
    const auto& sts = static_cast<const apps::StatefulSet&>(workload);
    desired = sts.spec().replicas();
    current = sts.status().replicas();
    selector = sdk::LabelSelector::from_proto(sts.spec().selector()).to_string();
  } else {
    const auto& rs = static_cast<const apps::ReplicaSet&>(workload);
    desired = rs.spec().replicas();
    current = rs.status().replicas();
    selector = sdk::LabelSelector::from_proto(rs.spec().selector()).to_string();
  }
  json::object scale;
  scale["kind"] = "Scale";
  scale["apiVersion"] = "autoscaling/v1";
  json::object m;
  m["name"] = meta.name();
  m["namespace"] = meta.namespace_();
  m["uid"] = meta.uid();
  m["resourceVersion"] = meta.resource_version();
  m["creationTimestamp"] = meta.creation_timestamp();
  scale["metadata"] = std::move(m);
  scale["spec"] = json::object{{"replicas", desired}};
  scale["status"] = json::object{{"replicas", current}, {"selector", selector}};
  return scale;
}

std::int32_t replicas_from_scale(const json::value& scale) {
  const json::value* spec = scale.is_object() ? scale.as_object().if_contains("spec") : nullptr;
  const json::value* replicas = spec && spec->is_object() ? spec->as_object().if_contains("replicas") : nullptr;
  if (!replicas || !replicas->is_int64()) throw ApiError(sdk::Status::BadRequest("Scale: spec.replicas must be an integer"));
  std::int64_t value = replicas->as_int64();
  if (value < 0) {
    FieldErrors errors;
    errors.invalid("spec.replicas", std::to_string(value), "must be greater than or equal to 0");
    errors.throw_if_any(*sdk::find_resource("deployments.apps"), "");
  }
  return static_cast<std::int32_t>(value);
}

void set_replicas(google::protobuf::Message& workload, std::int32_t replicas) {
  if (workload.GetDescriptor() == apps::Deployment::descriptor())
    static_cast<apps::Deployment&>(workload).mutable_spec()->set_replicas(replicas);
  else if (workload.GetDescriptor() == apps::StatefulSet::descriptor())
    static_cast<apps::StatefulSet&>(workload).mutable_spec()->set_replicas(replicas);
  else
    static_cast<apps::ReplicaSet&>(workload).mutable_spec()->set_replicas(replicas);
}

}  // namespace skiff::apiserver
