// The runtime contract (skiff.runtime.v1) on Docker: a pod's sandbox is a small container
// holding its network namespace (or the host's), its containers join it; the standard labels
// on every container name the pod and container, so the state can be read back after a restart.
#pragma once

#include <atomic>
#include <string>

#include "docker_client.hpp"
#include "skiff/sdk/runtime/runtime_service.hpp"

namespace skiff::docker {

namespace rt = runtime::v1;

struct DockerRuntimeOptions {
  std::string sandbox_image = "skiff/pause:1";
  std::string network_mode = "bridge";  // for pods without hostNetwork
};

class DockerRuntime final : public sdk::RuntimeService {
 public:
  DockerRuntime(DockerClient& client, DockerRuntimeOptions options);

  SKIFF_RUNTIME_SERVICE_OVERRIDES  // the contract, from runtime_service.hpp

  // Pulls under way give up, so that stopping the server does not wait for them.
  void shut_down() { stopping_ = true; }

 private:
  boost::json::value inspect(const std::string& id);

  DockerClient& client_;
  DockerRuntimeOptions options_;
  std::atomic<bool> stopping_{false};
};

}  // namespace skiff::docker
