// The runtime contract (skiff.runtime.v1) on Docker: a pod's sandbox is a small container
// holding its network namespace (or the host's), its containers join it; the standard labels
// on every container name the pod and container, so the state can be read back after a restart.
#pragma once

#include <atomic>
#include <string>

#include "docker_client.hpp"
#include "disk_usage.hpp"
#include "pod_network.hpp"
#include "skiff/sdk/runtime/runtime_service.hpp"

namespace spdlog {
class logger;
}

namespace skiff::docker {

namespace rt = runtime::v1;
using runtime_common::PodNetwork;

struct DockerRuntimeOptions {
  std::string sandbox_image = "skiff/pause:1";
  std::string network_mode = "bridge";  // for pods without hostNetwork, when pod_network is null
  PodNetwork* pod_network = nullptr;    // `network: cni`: such pods get their network from CNI
};

class DockerRuntime final : public sdk::RuntimeService {
 public:
  DockerRuntime(DockerClient& client, DockerRuntimeOptions options);

  SKIFF_RUNTIME_SERVICE_OVERRIDES  // the contract, from runtime_service.hpp

  // Pulls under way give up, so that stopping the server does not wait for them.
  void shut_down() { stopping_ = true; }

  // CNI DEL for attached sandboxes that are gone or no longer run (after a restart of the
  // runtime, of dockerd, of the machine): their IPs go back to the pool. Running sandboxes
  // whose ADD never finished are stopped too.
  void release_networks_of_dead_sandboxes(spdlog::logger& log);

 private:
  boost::json::value inspect(const std::string& id);
  runtime::v1::StatsResponse engine_stats(const std::string& id);
  void resize(const std::string& path, std::uint32_t width, std::uint32_t height);
  boost::json::object sandbox_body(const runtime::v1::SandboxConfig& config, bool on_cni) const;
  // The pod IP from CNI ADD on the started sandbox; the sandbox is removed when that fails.
  std::string attach_network(const std::string& id, const runtime::v1::SandboxConfig& config);
  // CNI DEL for the sandbox when it is attached (its namespace while it runs).
  void detach_network(const std::string& id);
  std::string ip_of(const std::string& id, std::string docker_ip) const;

  DockerClient& client_;
  DockerRuntimeOptions options_;
  std::atomic<bool> stopping_{false};
  runtime_common::DiskUsageCache layer_usage_;  // writable layers, walked at most every 30 s
};

}  // namespace skiff::docker
