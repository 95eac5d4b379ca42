// Kinds the API serves in a version besides the one it stores (autoscaling/v1 HorizontalPodAutoscaler),
// and the codec a request uses: the stored type, seen through the requested version.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "object_codec.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {

struct ServedVersion {
  sdk::ResourceType type;     // as served: its apiVersion, and its own message for the protobuf wire schema
  std::string stored_group;   // the stored type is found by group and plural
  boost::json::object (*to_stored)(boost::json::object);
  boost::json::object (*to_served)(boost::json::object);
};

// Every served-only version, in a stable order.
const std::vector<ServedVersion>& served_versions();
// The served-only version of group/version/plural, nullptr when there is none.
const ServedVersion* find_served_version(const std::string& group, const std::string& version, const std::string& plural);

// Objects of the stored `type` as a request's version shows them: unchanged for the stored
// version, converted (both ways) for a served-only one.
class VersionedCodec {
 public:
  VersionedCodec(const sdk::ResourceType& stored, const ServedVersion* served) : stored_(stored), served_(served) {}

  std::string api_version() const { return served_ ? served_->type.api_version() : stored_.api_version(); }
  boost::json::object encode(const google::protobuf::Message& object) const;
  MessagePtr decode(const boost::json::value& body, const std::string& field_validation,
                    std::vector<std::string>& warnings) const;
  MessagePtr patch(const google::protobuf::Message& current, PatchType kind, const boost::json::value& patch,
                   const std::string& field_validation, std::vector<std::string>& warnings) const;

 private:
  const sdk::ResourceType& stored_;
  const ServedVersion* served_;
};

}  // namespace skiff::apiserver
