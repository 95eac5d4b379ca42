// The labels a runtime puts on what it creates and the kubelet reads back (to find a pod's
// containers and adopt them after a restart). Each is spelled here and nowhere else.
#pragma once

#include <map>
#include <string>

#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::sdk::label {

inline constexpr const char* kNode = "io.skiff.node";  // set by the kubelet in the configs it sends
inline constexpr const char* kPodUid = "io.skiff.pod.uid";
inline constexpr const char* kPodName = "io.skiff.pod.name";
inline constexpr const char* kPodNamespace = "io.skiff.pod.namespace";
inline constexpr const char* kContainerName = "io.skiff.container.name";
inline constexpr const char* kContainerAttempt = "io.skiff.container.attempt";
inline constexpr const char* kKind = "io.skiff.kind";  // kKindSandbox or kKindContainer
inline constexpr const char* kSandboxId = "io.skiff.sandbox.id";
inline constexpr const char* kKindSandbox = "sandbox";
inline constexpr const char* kKindContainer = "container";

}  // namespace skiff::sdk::label

namespace skiff::sdk {

// What a runtime labels a sandbox with: the config's labels, then the pod's identity.
std::map<std::string, std::string> sandbox_labels(const runtime::v1::SandboxConfig& config);
// What a runtime labels a container with: the pod's labels, the container's own, then the
// pod's identity, the container's name and attempt, and its sandbox (a container is found by any).
std::map<std::string, std::string> container_labels(const runtime::v1::CreateContainerRequest& request);

}  // namespace skiff::sdk
