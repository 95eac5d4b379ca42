// The three patch types kubectl sends, applied to an object's Kubernetes JSON.
#pragma once

#include <boost/json/value.hpp>

namespace google::protobuf {
class Descriptor;
}

namespace skiff::apiserver {

// RFC 7386: objects merge recursively, null removes, anything else replaces.
boost::json::value apply_merge_patch(boost::json::value target, const boost::json::value& patch);

// RFC 6902 (add, remove, replace, move, copy, test). `replace` of a missing object member adds
// it, as kubectl's rollout undo expects. Throws ApiError 422 when an operation cannot apply.
boost::json::value apply_json_patch(boost::json::value target, const boost::json::value& patch);

// Kubernetes' strategic merge patch: like a merge patch, but lists declared with a merge key
// (containers by name, ports by containerPort …) merge element by element, and the directives
// kubectl emits are honoured: $setElementOrder/<list>, $patch: replace|delete,
// $deleteFromPrimitiveList/<list>, $retainKeys. `type` is the message the JSON is of.
boost::json::value apply_strategic_merge_patch(boost::json::value target, const boost::json::value& patch,
                                               const google::protobuf::Descriptor* type);

}  // namespace skiff::apiserver
