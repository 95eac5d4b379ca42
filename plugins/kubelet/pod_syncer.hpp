// One pod's life on this node, level-triggered: each sync compares the pod with what the
// runtime has and does the next step — sandbox, init containers in order, app containers,
// restarts per restartPolicy with back-off (CrashLoopBackOff), liveness kills, graceful
// termination (preStop, SIGTERM, the grace period) — then writes the pod's status.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "downward_api.hpp"
#include "skiff/sdk/status_writer.hpp"
#include "master_service_env.hpp"
#include "projected_tokens.hpp"
#include "pod_dns.hpp"
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
  // The node's allocatable ("cpu", "memory"): the downward API's value of a limit not set.
  std::map<std::string, std::string> allocatable;
  std::chrono::milliseconds restart_backoff{10000};
  std::chrono::milliseconds restart_backoff_max{300000};
  DnsSettings dns;
  // Called before a container that ran is removed (the log shipper reads its log to the end
  // first: the runtime deletes it with the container).
  std::function<void(const sdk::RuntimeClient& runtime, const std::string& container_id)> before_container_removed;
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
    std::string projected_metadata;  // the labels and annotations the pod's downwardAPI files show
    // Guarded by mutex_: the status last sent (serialized), the last one the API took, and the
    // pod's resourceVersion after that (0 once the informer has caught up with it).
    std::string expected_echo;
    std::string written_status;
    std::int64_t written_revision = 0;
    std::string signature;       // guarded by mutex_
  };
  struct Pass;  // one sync of one pod, through its phases

  // The phases of a sync, in order.
  const sdk::RuntimeClient* runtime_of(const api::core::v1::Pod& pod);
  Memory& memory_of(const api::core::v1::Pod& pod);
  void ensure_sandbox(Pass& pass);
  void run_sandbox(Pass& pass);
  void refresh_volumes(Pass& pass);
  void run_init_containers(Pass& pass);
  void next_init_step(Pass& pass, const api::core::v1::Container& spec,
                      const std::vector<runtime::v1::ContainerStatus>& attempts);
  void run_app_containers(Pass& pass);
  void start_missing(Pass& pass, const api::core::v1::Container& spec);
  void run_ephemeral_containers(Pass& pass);
  std::string running_id_of(const Pass& pass, const std::string& container_name) const;
  void kill_if_unhealthy(Pass& pass, const api::core::v1::Container& spec, const runtime::v1::ContainerStatus& running);
  void restart_container(Pass& pass, const api::core::v1::Container& spec,
                         const std::vector<runtime::v1::ContainerStatus>& attempts);
  void report_back_off(Pass& pass, const api::core::v1::Container& spec, const Backoff& backoff);
  void read_back(Pass& pass);
  void track_probes(const Pass& pass);
  api::core::v1::PodStatus status_to_compare(Pass& pass);
  api::core::v1::PodStatus status_of(const Pass& pass, const api::core::v1::PodStatus& old) const;
  api::core::v1::ContainerStatus container_status(const Pass& pass, const api::core::v1::Container& spec,
                                                  bool is_init) const;
  api::core::v1::ContainerStatus ephemeral_status(const Pass& pass, const api::core::v1::Container& spec) const;
  void set_exited(const Pass& pass, const api::core::v1::Container& spec, const runtime::v1::ContainerStatus& latest,
                  api::core::v1::ContainerStatus& status) const;
  void remember_signature(const Pass& pass);
  void write_status(Pass& pass, const api::core::v1::PodStatus& status, const api::core::v1::PodStatus& old);

  // Starting one attempt of a container; on failure `waiting` says why.
  // `target_id`: the runtime container whose PID namespace it joins (ephemeral containers).
  bool start_container(Pass& pass, const api::core::v1::Container& spec, int attempt, const std::string& target_id = "");
  bool pull_image(Pass& pass, const api::core::v1::Container& spec);
  // The pod's resolv.conf, written into its directory for a new sandbox (events for what
  // limits cut); what it says.
  ResolverConfig write_resolv_conf(Pass& pass);
  // The file the sandbox was made with; written now if it is missing (a sandbox made by a
  // kubelet before this one, or a file removed by hand).
  ResolverConfig resolv_conf_of(Pass& pass);
  std::string create_container(Pass& pass, const api::core::v1::Container& spec, int attempt,
                               const std::string& target_id);
  // What the downward API reads of this node and of the pod's sandbox.
  DownwardContext downward_context(const Pass& pass) const;

  // A deleted pod: its containers stopped gracefully, then everything of it removed.
  std::chrono::milliseconds terminate(const api::core::v1::Pod& pod);
  void stop_all(const api::core::v1::Pod& pod, const sdk::RuntimeClient& runtime);
  void stop_gracefully(const api::core::v1::Pod& pod, const sdk::RuntimeClient& runtime,
                       const runtime::v1::ContainerStatus& container, const api::core::v1::Container* spec,
                       const std::string& ip, std::chrono::steady_clock::time_point deadline);
  void remove_from(const sdk::RuntimeClient& runtime, const std::string& pod_uid);
  std::chrono::milliseconds finish_deletion(const api::core::v1::Pod& pod);

  std::chrono::milliseconds until_allowed(Backoff& b) const;
  void advance(Backoff& b) const;
  bool ran_past_backoff(const runtime::v1::ContainerStatus& container) const;
  std::string pod_dir(const std::string& pod_uid) const { return options_.pods_dir + "/" + pod_uid; }

  const sdk::ApiClient& api_;
  sdk::StatusWriter statuses_{api_};  // every pod worker's status writes, coalesced (api.statusmany)
  mutable ProjectedTokens tokens_{api_};
  mutable MasterServiceEnv service_env_{api_};
  RuntimeSet& runtimes_;
  Prober& prober_;
  sdk::EventRecorder& events_;
  SyncOptions options_;
  spdlog::logger& log_;
  mutable std::mutex mutex_;
  std::map<std::string, Memory> memory_;  // by pod uid
};

}  // namespace skiff::kubelet
