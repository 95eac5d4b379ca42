// What `kubectl get pods` shows of a pod, computed as Kubernetes' printPod does: READY x/y
// (sidecars count), STATUS (init progress, container reasons, Terminating …) and RESTARTS
// ("3 (5m ago)").
#pragma once

#include <string>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {

struct PodSummary {
  std::string ready;     // "1/2"
  std::string status;    // "Running", "Init:0/1", "CrashLoopBackOff", "Terminating" …
  std::string restarts;  // "0", "3 (5m ago)"
};

PodSummary summarize_pod(const api::core::v1::Pod& pod, sdk::WallClock::time_point now = sdk::WallClock::now());

}  // namespace skiff::apiserver
