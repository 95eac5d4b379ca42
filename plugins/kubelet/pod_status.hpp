// The pieces of a pod's status that follow from what the runtime has, as Kubernetes words
// them: an exited container's terminated state, the pod's phase, and its conditions.
#pragma once

#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::kubelet {

// A runtime timestamp at the API's precision: "2024-05-01T10:00:00.123456Z" → "2024-05-01T10:00:00Z".
std::string rfc3339_seconds(const std::string& time);

// How a runtime container ended, as the API's terminated state (reason Completed or Error
// when the runtime gives none).
// `scheme` names the runtime in the container id as Kubernetes writes it ("docker://<id>").
api::core::v1::ContainerStateTerminated terminated_of(const runtime::v1::ContainerStatus& container,
                                                      const std::string& scheme);
// "<scheme>://<id>", or the id alone while the runtime's name is unknown.
std::string container_id_of(const std::string& scheme, const std::string& id);

// The phase as Kubernetes' getPhase computes it from the app containers' statuses: Failed
// when an init container failed for good; Pending until initialized and every container has
// started once; Succeeded or Failed when all have terminated for good (one the restart
// policy brings back counts as running); Running otherwise.
std::string pod_phase(const google::protobuf::RepeatedPtrField<api::core::v1::ContainerStatus>& containers,
                      const std::string& restart_policy, bool initialized, bool init_failed);

// Adds PodScheduled (kept from `old`), Initialized, ContainersReady and Ready to `status`,
// whose phase and container statuses are set. A condition keeps its lastTransitionTime from
// `old` while its status stays the same.
void add_conditions(api::core::v1::PodStatus& status, const api::core::v1::PodStatus& old, bool initialized);

}  // namespace skiff::kubelet
