// A pod container's attempts in the runtime (each start is a new runtime container labelled
// with its attempt), what the restart policy makes of one that exited, and its pull policy.
#pragma once

#include <string>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::kubelet {

// The attempt a runtime container is of its pod container (its attempt label; 0 without one).
int attempt_of(const runtime::v1::ContainerStatus& container);

// The runtime containers of the pod container `name` out of `all`, oldest attempt first.
std::vector<runtime::v1::ContainerStatus> attempts_of(const std::vector<runtime::v1::ContainerStatus>& all,
                                                      const std::string& name);

// spec.restartPolicy, Always when unset.
std::string restart_policy_of(const api::core::v1::Pod& pod);

// Whether `policy` (Always, OnFailure, Never) brings back a container that exited with `exit_code`.
bool restarts(const std::string& policy, int exit_code);

// imagePullPolicy, or Kubernetes' default for the image: Always for ":latest" or no tag,
// IfNotPresent otherwise.
std::string pull_policy(const api::core::v1::Container& container);

}  // namespace skiff::kubelet
