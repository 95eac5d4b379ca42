// What one sync of one pod carries through its phases, shared by the pod syncer's files.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "container_attempts.hpp"
#include "pod_syncer.hpp"

namespace skiff::kubelet {

// One sync of one pod as it goes through its phases: what it found, what it did, and when
// the pod wants syncing again.
struct PodSyncer::Pass {
  Pass(const api::core::v1::Pod& pod, const sdk::RuntimeClient& runtime, std::string id_scheme, Memory& memory,
       std::vector<runtime::v1::ContainerStatus> listed)
      : pod(pod),
        runtime(runtime),
        id_scheme(std::move(id_scheme)),
        memory(memory),
        policy(restart_policy_of(pod)),
        containers(std::move(listed)) {
    for (const auto& c : containers) seen_at_start[c.id()] = c.state();
  }

  const api::core::v1::Pod& pod;
  const sdk::RuntimeClient& runtime;
  std::string id_scheme;  // the runtime's name, before container ids in the status
  Memory& memory;
  std::string policy;                                // spec.restartPolicy, defaulted
  std::vector<runtime::v1::ContainerStatus> containers;       // the pod's in the runtime, as last listed
  std::map<std::string, std::string> seen_at_start;  // container id -> state when the sync began
  std::string sandbox_id, ip, sandbox_problem;
  bool initialized = false, init_failed = false;
  std::chrono::milliseconds again{0};

  const std::string& uid() const { return pod.metadata().uid(); }
  // Asks for another sync after `delay`; the soonest asked for wins.
  void soon(std::chrono::milliseconds delay) {
    if (delay.count() > 0 && (again.count() == 0 || delay < again)) again = delay;
  }
};

// spec.terminationGracePeriodSeconds; 30 when unset.
inline std::int64_t termination_grace_of(const api::core::v1::Pod& pod) {
  return pod.spec().has_termination_grace_period_seconds() ? pod.spec().termination_grace_period_seconds() : 30;
}

}  // namespace skiff::kubelet
