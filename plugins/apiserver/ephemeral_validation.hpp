// Ephemeral containers (kubectl debug): Kubernetes' rules for adding them to a pod, and the
// pods/ephemeralcontainers subresource's write (only spec.ephemeralContainers changes).
#pragma once

#include "api_error.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {

// Each ephemeral container: a unique name, an image, none of the fields only long-lived
// containers have (ports, probes, lifecycle, resources, restartPolicy), a target that exists;
// with `old`, the ones it had unchanged and still there (they are append-only).
void check_ephemeral_containers(FieldErrors& errors, const api::core::v1::PodSpec& spec,
                                const api::core::v1::PodSpec* old);

// The pod as stored with only its ephemeral containers taken from `requested`.
api::core::v1::Pod with_ephemeral_containers_of(const api::core::v1::Pod& current,
                                                const api::core::v1::Pod& requested);

// A plain pod update (not through the subresource) that changes the ephemeral containers: 422.
void refuse_ephemeral_change(const sdk::ResourceType& type, const api::core::v1::Pod& current,
                             const api::core::v1::Pod& next);

}  // namespace skiff::apiserver
