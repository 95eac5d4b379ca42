// From a pod's spec to what the runtime runs: command, args, environment (values from the
// pod's own fields, ConfigMaps and Secrets), limits, and volumes made into host
// directories (emptyDir, hostPath, configMap, secret) mounted where the pod asks.
#pragma once

#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/runtime/labels.hpp"

namespace skiff::kubelet {

// Throws sdk::Error (reason CreateContainerConfigError) when a referenced ConfigMap/Secret or
// key is missing and not optional.
runtime::v1::ContainerConfig container_config(const api::core::v1::Pod& pod, const api::core::v1::Container& container,
                                              int attempt, const std::string& pod_dir, const std::string& host_ip,
                                              const sdk::ApiClient& api);

// The sandbox config of a pod (labels tie it to the node and the pod).
runtime::v1::SandboxConfig sandbox_config(const api::core::v1::Pod& pod, const std::string& node);

// Creates the pod's volume directories (and writes configMap/secret files).
void prepare_volumes(const api::core::v1::Pod& pod, const std::string& pod_dir, const sdk::ApiClient& api);

// The labels every runtime puts on what it creates for the kubelet, which finds its
// containers by them (and adopts them after a restart): the SDK's, under short names.
inline constexpr const char* kLabelNode = sdk::label::kNode;
inline constexpr const char* kLabelPodUid = sdk::label::kPodUid;
inline constexpr const char* kLabelContainer = sdk::label::kContainerName;
inline constexpr const char* kLabelAttempt = sdk::label::kContainerAttempt;

}  // namespace skiff::kubelet
