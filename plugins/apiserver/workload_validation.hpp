// Validation of DaemonSets, StatefulSets and ControllerRevisions with Kubernetes' messages and
// field paths (pkg/apis/apps/validation).
#pragma once

#include <string>

#include "api_error.hpp"

namespace google::protobuf {
class Message;
}
namespace skiff::api::core::v1 {
class PodTemplateSpec;
}
namespace skiff::api::meta::v1 {
class LabelSelector;
}

namespace skiff::apiserver {

// Validates one of these kinds (old == nullptr on create); false for any other kind.
void check_non_negative(FieldErrors& errors, const std::string& field, long long value);
// The selector must be non-empty and select the template's labels; the template as a
// ReplicaSet's, DaemonSet's or StatefulSet's (restartPolicy Always, no activeDeadlineSeconds).
void check_selector_and_template(FieldErrors& errors, const api::meta::v1::LabelSelector* selector,
                                 const api::core::v1::PodTemplateSpec& tmpl);

bool check_workload(FieldErrors& errors, const google::protobuf::Message& object, const google::protobuf::Message* old);

}  // namespace skiff::apiserver
