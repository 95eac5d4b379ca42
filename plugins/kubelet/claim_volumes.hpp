// persistentVolumeClaim volumes on the node: the claim must be Bound, its volume's node
// affinity must allow this node, and the volume's local or hostPath directory is what the
// containers mount. fsGroup ownership of writable volume directories.
#pragma once

#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace skiff::kubelet {

// The host directory behind a persistentVolumeClaim volume of the pod (scheduled on
// pod.spec.nodeName). Throws sdk::Error with reason FailedMount naming the claim when it is
// missing or not bound, its volume is missing or has no local/hostPath source, or the volume
// is pinned to other nodes (such a pod can never start here).
std::string claim_volume_path(const api::core::v1::Pod& pod, const api::core::v1::Volume& volume, const sdk::ApiClient& api);

// Kubernetes' SetVolumeOwnership: the directory tree's group becomes fsGroup, group-writable,
// with setgid directories so new files keep the group.
void apply_fs_group(const std::string& dir, std::int64_t fs_group);

}  // namespace skiff::kubelet
