// The runtime contract (skiff.runtime.v1) on containerd's CRI: sandboxes and containers are
// CRI's, labelled with the SDK's standard set so the kubelet finds them after a restart; logs
// come from the CRI log files the plugin chose, exec through containerd's streaming server.
#pragma once

#include <atomic>
#include <string>

#include "cni_config.hpp"
#include "cri_client.hpp"
#include "skiff/sdk/runtime/runtime_service.hpp"

namespace skiff::containerd {

struct ContainerdRuntimeOptions {
  std::string log_directory;  // CRI writes container logs under it
  std::string cgroup_parent = "/skiff";
  CniConfig* cni = nullptr;   // kept in step with the node's network before sandboxes run
};

class ContainerdRuntime final : public sdk::RuntimeService {
 public:
  ContainerdRuntime(CriClient& client, ContainerdRuntimeOptions options);

  SKIFF_RUNTIME_SERVICE_OVERRIDES  // the contract, from runtime_service.hpp
  // One ListContainerStats for the containers (containerd_stats.cpp).
  runtime::v1::ListStatsResponse list_stats(const runtime::v1::ListStatsRequest& request) override;
  // update_runtime_config keeps the default: the node's pod subnet is the network plugin's to
  // put on its bridge; the default bridge keeps its own (one for every node on this containerd).

  // The CNI conflist in place and loaded by containerd (its NetworkReady), or an Error saying
  // why not, within `timeout`.
  void ensure_network(std::chrono::milliseconds timeout);

 private:
  // Why containerd's network is not ready ("" when it is).
  std::string network_problem();
  std::string log_path_of(const std::string& container_id);
  std::uint32_t next_sandbox_attempt(const runtime::v1::SandboxConfig& config);
  // The sandbox's (pause) process from a verbose status' info.pid; 0 when it names none.
  static std::int64_t sandbox_pid(const cri::PodSandboxStatusResponse& status);

  CriClient& client_;
  ContainerdRuntimeOptions options_;
};

}  // namespace skiff::containerd
