// What a configMap, secret, downwardAPI or projected volume holds: its files, from ConfigMaps
// and Secrets in the API and from the pod itself, as Kubernetes' volume plugins make them
// (keys or items, each file's mode or the volume's defaultMode, 0644 when neither is set).
#pragma once

#include "atomic_writer.hpp"
#include "downward_api.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace skiff::kubelet {

// A volume whose files the kubelet makes (configMap, secret, downwardAPI, projected): they are
// written with write_atomically and mounted read-only.
bool has_payload(const api::core::v1::Volume& volume);

// A volume whose files show the pod's own fields (a downwardAPI volume, or a projected one with
// a downwardAPI source): written again when the pod's labels or annotations change.
bool reads_the_pod(const api::core::v1::Volume& volume);

// A projected volume with a serviceAccountToken source: written again when its token is renewed.
bool holds_token(const api::core::v1::Volume& volume);

// The files of a volume has_payload is true for. Throws sdk::Error
// (CreateContainerConfigError) for a ConfigMap, Secret or key that is missing and not
// optional, a field the downward API does not offer, and a token the API does not give.
VolumePayload volume_payload(const api::core::v1::Pod& pod, const api::core::v1::Volume& volume,
                             const sdk::ApiClient& api, const DownwardContext& context);

}  // namespace skiff::kubelet
