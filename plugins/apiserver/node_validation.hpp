// Validation of a Node's spec with Kubernetes' messages: podCIDRs are CIDRs (at most one per
// IP family, no duplicates), and podCIDRs and providerID are set once, never changed.
#pragma once

#include "api_error.hpp"
#include "skiff/api/core/v1/node.pb.h"

namespace skiff::apiserver {

// Kubernetes' ValidateNode (old == nullptr) and ValidateNodeUpdate, for the fields Skiff's Node has.
void check_node(FieldErrors& errors, const api::core::v1::Node& node, const api::core::v1::Node* old);

}  // namespace skiff::apiserver
