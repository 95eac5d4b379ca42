// Validation of a pod's spec (a Pod's, or a template's in a Deployment or ReplicaSet) and of
// labels and annotations, with Kubernetes' messages and field paths.
#pragma once

#include <string>

#include <google/protobuf/map.h>

#include "api_error.hpp"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::apiserver {

using StringMap = google::protobuf::Map<std::string, std::string>;

// Kubernetes' ValidateLabels: each key a qualified name, each value a label value (keys in order).
void check_labels(FieldErrors& errors, const std::string& field, const StringMap& labels);
// Kubernetes' ValidateAnnotations: keys are qualified names in any case; 256 KiB in all.
void check_annotations(FieldErrors& errors, const std::string& field, const StringMap& annotations);
// Kubernetes' ValidatePodSpec, in its order: volumes, containers, init containers, policies …
void check_pod_spec(FieldErrors& errors, const std::string& field, const api::core::v1::PodSpec& spec);

}  // namespace skiff::apiserver
