// From a pod's spec to what the runtime runs: command, args, environment (values from the
// pod's own fields and resources, ConfigMaps and Secrets), limits, and volumes made into host
// directories (emptyDir, hostPath, configMap, secret, downwardAPI, projected) mounted where the pod asks.
#pragma once

#include <string>

#include "downward_api.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/runtime/labels.hpp"

namespace skiff::kubelet {

// Throws sdk::Error (reason CreateContainerConfigError) when a referenced ConfigMap/Secret or
// key is missing and not optional, or a fieldRef or resourceFieldRef is not one Kubernetes offers.
runtime::v1::ContainerConfig container_config(const api::core::v1::Pod& pod, const api::core::v1::Container& container,
                                              int attempt, const std::string& pod_dir, const DownwardContext& context,
                                              const sdk::ApiClient& api);

// The sandbox config of a pod (labels tie it to the node and the pod).
runtime::v1::SandboxConfig sandbox_config(const api::core::v1::Pod& pod, const std::string& node);

// Creates the pod's volume directories and writes the files of its configMap, secret,
// downwardAPI and projected volumes (atomically: see atomic_writer.hpp).
void prepare_volumes(const api::core::v1::Pod& pod, const std::string& pod_dir, const sdk::ApiClient& api,
                     const DownwardContext& context);

// Writes again the volumes that show the pod's own fields (downwardAPI, projected with a
// downwardAPI source) where they changed — after the pod's labels or annotations did. True when
// a file changed. With `tokens_due`, the volumes holding service account tokens too.
bool refresh_pod_volumes(const api::core::v1::Pod& pod, const std::string& pod_dir, const sdk::ApiClient& api,
                         const DownwardContext& context, bool tokens_due = false);

// The labels every runtime puts on what it creates for the kubelet, which finds its
// containers by them (and adopts them after a restart): the SDK's, under short names.
inline constexpr const char* kLabelNode = sdk::label::kNode;
inline constexpr const char* kLabelPodUid = sdk::label::kPodUid;
inline constexpr const char* kLabelContainer = sdk::label::kContainerName;
inline constexpr const char* kLabelAttempt = sdk::label::kContainerAttempt;

}  // namespace skiff::kubelet
