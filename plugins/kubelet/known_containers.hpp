// The containers the kubelet's own pod status says are running, read with one list_stats per
// runtime and no listing: what a summary of CPU and memory only needs (metrics.k8s.io asks it
// every period of every node, so it must cost little).
#pragma once

#include <memory>
#include <vector>

#include "runtime_readings.hpp"
#include "skiff/api/core/v1/pod.pb.h"

namespace skiff::kubelet {

// Running containers (regular, init and ephemeral) with a container id in their status, each
// asked of its pod's runtime; pods whose runtime cannot be named are left out. No sandboxes.
RuntimeReadings read_known_containers(RuntimeSet& runtimes,
                                      const std::vector<std::shared_ptr<const api::core::v1::Pod>>& pods);

// "docker://abc" → "abc": the runtime's own id behind Kubernetes' scheme prefix.
std::string runtime_container_id(const std::string& status_id);

}  // namespace skiff::kubelet
