// Defaulting as Kubernetes does it for the built-in types (restartPolicy, strategy, ports …).
#pragma once

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// Fills in defaults on an object being created or updated (spec fields only; metadata and
// status are the API server's business).
void apply_defaults(google::protobuf::Message& object);

}  // namespace skiff::apiserver

#include <cstdint>

namespace skiff::api::core::v1 {
class Pod;
class PodSpec;
}
namespace skiff::apiserver {
// A pod template's or pod's spec defaults (shared with controllers that build pods).
void default_pod_spec(api::core::v1::PodSpec* spec);
// What Kubernetes' default admission plugins add to a Pod being created (ServiceAccount,
// Priority, DefaultTolerationSeconds): a Pod's, never a template's.
void admit_pod(api::core::v1::Pod& pod, std::int64_t default_toleration_seconds);

}  // namespace skiff::apiserver
