// Liveness, readiness and startup probes (exec, httpGet, tcpSocket) with Kubernetes' timing
// fields, run on two threads of their own; a result that changes wakes the pod's sync.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/runtime/runtime_client.hpp"

namespace skiff::kubelet {

enum class ProbeKind { Startup, Liveness, Readiness };

// One attempt of a probe: true on success. `ip` is where httpGet and tcpSocket connect.
bool run_probe(const api::core::v1::Probe& probe, const api::core::v1::Container& container, const std::string& ip,
               const std::string& container_id, const sdk::RuntimeClient& runtime);
// The same actions serve lifecycle hooks (preStop, postStart).
bool run_handler(const api::core::v1::LifecycleHandler& handler, const api::core::v1::Container& container,
                 const std::string& ip, const std::string& container_id, const sdk::RuntimeClient& runtime,
                 std::chrono::seconds timeout);

class Prober {
 public:
  explicit Prober(std::function<void(const std::string& pod_uid)> changed);
  ~Prober();

  // The running containers of a pod and where they listen; probes of containers not named
  // (or restarted: a new id) start over.
  struct Target {
    std::string container_id;
    const api::core::v1::Container* spec;
    std::chrono::system_clock::time_point started_at;
  };
  // `runtime`: the pod's, for exec probes; it outlives the tracking.
  void track(const std::string& pod_uid, const std::string& ip, const sdk::RuntimeClient& runtime,
             const std::vector<Target>& containers);
  void forget(const std::string& pod_uid);

  // What the probes say so far (a container without the probe: started/ready/alive).
  // For the running container `container_id` of `spec`: a probe not yet tracked for exactly
  // that container (just started, or restarted) has not passed.
  bool started(const std::string& pod_uid, const api::core::v1::Container& spec, const std::string& container_id) const;
  bool ready(const std::string& pod_uid, const api::core::v1::Container& spec, const std::string& container_id) const;
  // Liveness (or startup) gave up on this container: it is to be restarted.
  bool failed(const std::string& pod_uid, const std::string& container, const std::string& container_id) const;

 private:
  struct State {
    api::core::v1::Probe probe;
    api::core::v1::Container spec;
    std::string container_id;
    std::string ip;
    const sdk::RuntimeClient* runtime = nullptr;
    std::chrono::steady_clock::time_point next;
    int successes = 0, failures = 0;
    bool passed = false;  // the current result
    bool gave_up = false;
    bool running = false;
  };
  using Key = std::tuple<std::string, std::string, ProbeKind>;  // uid, container, kind
  void loop();
  bool passed(const Key& key, const std::string& container_id) const;  // with mutex_ held


  std::function<void(const std::string&)> changed_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Key, State> probes_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace skiff::kubelet
