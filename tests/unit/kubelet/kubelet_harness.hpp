// The kubelet's parts under test, in this process, against a real cluster: a nats-server and
// a skiffd hosting store-lmdb, the apiserver and runtime-sim (the node's runtime). The pod
// syncer is driven as its kubelet would drive it — sync after sync — until a condition holds.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nats_server.hpp"
#include "plugin_node.hpp"
#include "pod_syncer.hpp"
#include "prober.hpp"
#include "runtime_set.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/event_recorder.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"
#include "temp_dir.hpp"

namespace spdlog {
class logger;
}

namespace skiff::test {

using namespace std::chrono_literals;

inline constexpr const char* kNode = "kubelet-test-node";
inline constexpr const char* kHostIp = "127.0.0.1";

// The cluster: shared by the tests of a suite (each uses pods of its own).
class SimCluster {
 public:
  SimCluster();
  ~SimCluster();

  sdk::Bus& bus() { return node_.bus(); }
  const sdk::Subjects& subjects() const { return node_.subjects(); }
  const sdk::ApiClient& api() const { return *api_; }
  const sdk::RuntimeClient& runtime() const { return *runtime_; }
  spdlog::logger& log() { return *log_; }
  std::string output() const { return node_.output(); }

 private:
  NatsServer nats_;
  PluginNode node_;
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<sdk::RuntimeClient> runtime_;
  std::shared_ptr<spdlog::logger> log_;
};

// One kubelet's pod syncer with its prober, runtimes and event recorder, as the node agent
// wires them — and what a test needs to drive it.
class SyncerHarness {
 public:
  explicit SyncerHarness(SimCluster& cluster, kubelet::SyncOptions options = quick_options());
  ~SyncerHarness();

  // Short back-offs, so restarts are quick to see.
  static kubelet::SyncOptions quick_options();

  kubelet::PodSyncer& syncer() { return *syncer_; }
  kubelet::RuntimeSet& runtimes() { return *runtimes_; }
  const std::string& pods_dir() const { return pods_dir_.path(); }

  // Creates the pod in namespace "default", bound to this node.
  api::core::v1::Pod create(api::core::v1::Pod pod);
  api::core::v1::Pod get(const std::string& name) const;
  // One sync of the pod as the API has it now; what sync() returned.
  std::chrono::milliseconds sync(const std::string& name);
  // Syncs the pod again and again (as its kubelet does on every event) until `done` holds
  // for it; false when `timeout` passed first. `after_each` sees the pod after every sync.
  bool sync_until(const std::string& name, const std::function<bool(const api::core::v1::Pod&)>& done,
                  std::chrono::milliseconds timeout = 20s,
                  const std::function<void(const api::core::v1::Pod&)>& after_each = {});

  // The runtime's containers of the pod, and those of one of its containers (oldest attempt first).
  std::vector<runtime::v1::ContainerStatus> containers(const api::core::v1::Pod& pod) const;
  std::vector<runtime::v1::ContainerStatus> attempts(const api::core::v1::Pod& pod, const std::string& container) const;
  // Runs a command in the newest attempt of a container; its exit code.
  int exec(const api::core::v1::Pod& pod, const std::string& container, const std::vector<std::string>& command) const;
  // The pod's events with this reason (they are written in the background: wait for them).
  std::vector<api::core::v1::Event> events(const std::string& pod, const std::string& reason) const;

 private:
  SimCluster& cluster_;
  TempDir pods_dir_;
  // In the node agent's order, so they go in reverse: the syncer before what it uses.
  std::unique_ptr<kubelet::RuntimeClasses> classes_;
  std::unique_ptr<kubelet::RuntimeSet> runtimes_;
  std::unique_ptr<sdk::EventRecorder> events_;
  std::unique_ptr<kubelet::Prober> prober_;
  std::unique_ptr<kubelet::PodSyncer> syncer_;
  std::vector<std::string> created_;  // pod names, removed at the end
};

// A suite whose tests share one SimCluster (started once per suite, each test using pods of
// its own); skiffd's output is printed when a test fails.
class SimClusterSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new SimCluster(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", cluster_->output().c_str());
  }

  static SimCluster* cluster_;
};

// … and each test a kubelet (pod syncer) of its own.
class KubeletSuite : public SimClusterSuite {
 protected:
  SyncerHarness kubelet_{*cluster_};
};

// A pod of one container `main` (image busybox:1.36, running until stopped) named `name`.
api::core::v1::Pod pod_named(const std::string& name);
// Sets a container's environment variable (runtime-sim reads its SIM_* knobs from there).
void set_env(api::core::v1::Container& container, const std::string& name, const std::string& value);
// An exec action running `command`.
api::core::v1::ExecAction exec_action(const std::vector<std::string>& command);

// Looks up a condition's status ("True"/"False"), "" when the pod has none of that type.
std::string condition(const api::core::v1::Pod& pod, const std::string& type);

}  // namespace skiff::test
