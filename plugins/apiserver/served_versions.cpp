// The served-only versions and the conversion a request's codec applies to them.
#include "served_versions.hpp"

#include <boost/json.hpp>

#include "api_error.hpp"
#include "autoscaling_conversion.hpp"
#include "patch.hpp"
#include "skiff/api/autoscaling/v1/autoscaling.pb.h"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

}  // namespace

const std::vector<ServedVersion>& served_versions() {
  static const std::vector<ServedVersion> versions = {
      {{"autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", true,
        {"hpa"}, {"all"}, api::autoscaling::v1::HorizontalPodAutoscaler::descriptor()},
       "autoscaling", hpa_v1_to_v2, hpa_v2_to_v1},
  };
  return versions;
}

const ServedVersion* find_served_version(const std::string& group, const std::string& version, const std::string& plural) {
  for (const auto& served : served_versions())
    if (served.type.group == group && served.type.version == version && served.type.plural == plural) return &served;
  return nullptr;
}

json::object VersionedCodec::encode(const google::protobuf::Message& object) const {
  json::object stored = encode_object(object, stored_);
  return served_ ? served_->to_served(std::move(stored)) : stored;
}

MessagePtr VersionedCodec::decode(const json::value& body, const std::string& field_validation,
                                  std::vector<std::string>& warnings) const {
  if (!served_ || !body.is_object()) return decode_object(stored_, body, field_validation, warnings);
  const json::object& object = body.as_object();
  const std::string served = served_->type.api_version();
  if (const auto* version = object.if_contains("apiVersion"); version && version->is_string() && version->as_string() != served)
    throw ApiError(sdk::Status::BadRequest("the API version in the data (" + std::string(version->as_string()) +
                                           ") does not match the expected API version (" + served + ")"));
  return decode_object(stored_, served_->to_stored(object), field_validation, warnings);
}

MessagePtr VersionedCodec::patch(const google::protobuf::Message& current, PatchType kind, const json::value& patch,
                                 const std::string& field_validation, std::vector<std::string>& warnings) const {
  if (!served_) return patch_object(stored_, current, kind, patch, field_validation, warnings);
  json::value document = encode(current);
  switch (kind) {
    case PatchType::Merge: document = apply_merge_patch(std::move(document), patch); break;
    case PatchType::Json: document = apply_json_patch(std::move(document), patch); break;
    case PatchType::Apply:
    case PatchType::Strategic:
      document = apply_strategic_merge_patch(std::move(document), patch, served_->type.descriptor);
      break;
  }
  return decode(document, field_validation, warnings);
}

}  // namespace skiff::apiserver
