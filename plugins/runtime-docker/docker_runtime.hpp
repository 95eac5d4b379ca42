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

  rt::VersionResponse version() override;
  rt::StatusResponse status() override;
  rt::ImageResponse image(const rt::ImageRequest& request) override;
  rt::RunSandboxResponse run_sandbox(const rt::RunSandboxRequest& request) override;
  void stop_sandbox(const std::string& id) override;
  void remove_sandbox(const std::string& id) override;
  rt::Sandbox sandbox_status(const std::string& id) override;
  rt::ListSandboxesResponse list_sandboxes(const rt::ListSandboxesRequest& request) override;
  rt::CreateContainerResponse create_container(const rt::CreateContainerRequest& request) override;
  void start_container(const std::string& id) override;
  void stop_container(const std::string& id, std::int64_t timeout_seconds) override;
  void remove_container(const std::string& id) override;
  rt::ContainerStatus container_status(const std::string& id) override;
  rt::ListContainersResponse list_containers(const rt::ListContainersRequest& request) override;
  rt::StatsResponse stats(const std::string& id) override;
  sdk::StreamBody logs(const rt::LogsRequest& request) override;
  sdk::StreamBody exec(const rt::ExecRequest& request) override;

  // Pulls under way give up, so that stopping the server does not wait for them.
  void shut_down() { stopping_ = true; }

 private:
  boost::json::value inspect(const std::string& id);

  DockerClient& client_;
  DockerRuntimeOptions options_;
  std::atomic<bool> stopping_{false};
};

}  // namespace skiff::docker
