// One node's kubelet: registers the node, watches the pods bound to it, syncs each pod on
// its own worker whenever the pod, the runtime (relisted every second) or a probe changes,
// removes containers of pods it does not know, serves logs and exec for the apiserver and its
// stats summary for metrics.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "node_registration.hpp"
#include "pod_feed.hpp"
#include "pod_syncer.hpp"
#include "runtime_set.hpp"
#include "prober.hpp"
#include "stats_provider.hpp"
#include "skiff/sdk/event_recorder.hpp"
#include "skiff/sdk/work_queue.hpp"

namespace skiff::kubelet {

struct AgentOptions {
  NodeOptions node;
  SyncOptions sync;
  int workers = 8;
  std::chrono::milliseconds relist_period{1000};
  // Directories under sync.pods_dir of pods this node does not have are removed on relist
  // (what a restart finds of pods deleted meanwhile). Only where one agent owns the directory.
  bool sweep_pod_dirs = false;
};

class NodeAgent {
 public:
  // Subscribes to `feed` for its node's pods (start the feed before any agent's start()).
  NodeAgent(sdk::Bus& bus, const sdk::Subjects& subjects, PodFeed& feed, const RuntimeClasses& classes,
            AgentOptions options, const Machine& machine, spdlog::logger& log);
  ~NodeAgent();

  void start();  // registers the node (throws when it cannot) and starts the pod workers
  void stop();
  std::size_t pods() const;
  const std::string& name() const { return options_.node.name; }

 private:
  bool sync(const std::string& uid);
  std::vector<std::shared_ptr<const api::core::v1::Pod>> known_pods() const;
  std::vector<std::string> pod_dirs() const;  // the uids with a directory under sync.pods_dir
  void relist();
  bool echo_of_own_write(const api::core::v1::Pod& old, const api::core::v1::Pod& pod) const;
  void serve_logs(const sdk::Request& request);
  void serve_exec(const sdk::Request& request);
  void serve_port_forward(const sdk::Request& request);
  void serve_attach(const sdk::Request& request);
  // The pod, its container's name and its runtime containers (newest attempt last).
  struct Resolved {
    std::shared_ptr<const api::core::v1::Pod> pod;
    const sdk::RuntimeClient* runtime = nullptr;  // the pod's
    std::string container;
    std::vector<runtime::v1::ContainerStatus> attempts;
  };
  Resolved resolve(const std::string& ns, const std::string& pod, const std::string& container);

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  AgentOptions options_;
  spdlog::logger& log_;
  sdk::ApiClient api_;
  RuntimeSet runtimes_;
  sdk::EventRecorder events_;
  NodeRegistration registration_;
  std::unique_ptr<Prober> prober_;
  std::unique_ptr<PodSyncer> syncer_;
  std::unique_ptr<StatsProvider> stats_;
  sdk::WorkQueue queue_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const api::core::v1::Pod>> by_uid_;
  std::map<std::string, std::string> runtime_signature_;  // by pod uid: what the runtime had last time
  std::atomic<bool> stopping_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;  // wakes the relister when stopping
  std::thread relister_;
  std::vector<sdk::Subscription> services_;
};

}  // namespace skiff::kubelet
