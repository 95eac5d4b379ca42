// One pod's life on this node, level-triggered: each sync compares the pod with what the
// runtime has and does the next step — sandbox, init containers in order, app containers,
// restarts per restartPolicy with back-off (CrashLoopBackOff), liveness kills, graceful
// termination (preStop, SIGTERM, the grace period) — then writes the pod's status.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "prober.hpp"
#include "runtime_set.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/event_recorder.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"

namespace spdlog {
class logger;
}

namespace skiff::kubelet {

// What the runtime has of one pod as one comparable string: "id:state" of its sandboxes and
// containers, sorted (runtimes list in no promised order).
std::string runtime_signature(std::vector<std::string> entries);

struct SyncOptions {
  std::string node;
  std::string pods_dir;  // <data dir>/pods: volumes live under <pods_dir>/<uid>
  std::string host_ip;
  std::chrono::milliseconds restart_backoff{10000};
  std::chrono::milliseconds restart_backoff_max{300000};
};

class PodSyncer {
 public:
  PodSyncer(const sdk::ApiClient& api, RuntimeSet& runtimes, Prober& prober, sdk::EventRecorder& events,
            SyncOptions options, spdlog::logger& log);

  // Brings the runtime in line with the pod and writes its status. Returns when to sync it
  // again on its own (a back-off ending); zero when only events should.
  std::chrono::milliseconds sync(const api::core::v1::Pod& pod);
  // A pod no longer in the API (or not on this node): remove what the runtime has of it.
  void remove_leftovers(const std::string& pod_uid);

  // The echoes of a sync, which need no sync of their own: the status it last wrote, and
  // what it left in the runtime (see runtime_signature).
  bool wrote(const std::string& pod_uid, const api::core::v1::PodStatus& status) const;
  std::string runtime_signature(const std::string& pod_uid) const;

 private:
  struct Backoff {
    std::chrono::milliseconds delay{0};
    std::chrono::steady_clock::time_point next{};
  };
  struct Memory {
    std::map<std::string, Backoff> restarts;  // by container name
    std::map<std::string, Backoff> pulls;
    std::map<std::string, std::pair<std::string, std::string>> waiting;  // reason, message
    std::string start_time;
    // Guarded by mutex_: the status last sent (serialized), the last one the API took, and the
    // pod's resourceVersion after that (0 once the informer has caught up with it).
    std::string expected_echo;
    std::string written_status;
    std::int64_t written_revision = 0;
    std::string signature;       // guarded by mutex_
  };

  std::chrono::milliseconds terminate(const api::core::v1::Pod& pod);
  std::chrono::milliseconds finish_deletion(const api::core::v1::Pod& pod);
  // Starts attempt `attempt` of a container; on failure records why in `waiting`.
  bool start_container(const api::core::v1::Pod& pod, const api::core::v1::Container& spec, int attempt,
                       const std::string& sandbox_id, const std::string& ip, Memory& memory);
  std::chrono::milliseconds until_allowed(Backoff& b) const;
  void advance(Backoff& b) const;

  const sdk::ApiClient& api_;
  RuntimeSet& runtimes_;
  Prober& prober_;
  sdk::EventRecorder& events_;
  SyncOptions options_;
  spdlog::logger& log_;
  mutable std::mutex mutex_;
  std::map<std::string, Memory> memory_;  // by pod uid
};

}  // namespace skiff::kubelet
