// The runtime service (skiff.runtime.v1) on Docker: a pod's sandbox is a small container
// holding its network namespace (or the host's), its containers join it; labels on every
// container name the pod and container, so the state can be read back after a restart.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "docker_client.hpp"
#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/bus.hpp"

namespace skiff::docker {

namespace rt = runtime::v1;

struct DockerRuntimeOptions {
  std::string sandbox_image = "skiff/pause:1";
  std::string network_mode = "bridge";  // for pods without hostNetwork
};

class DockerRuntime {
 public:
  DockerRuntime(DockerClient& client, sdk::Bus& bus, DockerRuntimeOptions options);
  ~DockerRuntime();  // stops the streams under way

  rt::VersionResponse version();
  rt::StatusResponse status();
  rt::ImageResponse image(const rt::ImageRequest& request);
  rt::RunSandboxResponse run_sandbox(const rt::RunSandboxRequest& request);
  void stop_sandbox(const std::string& id);
  void remove_sandbox(const std::string& id);
  rt::Sandbox sandbox_status(const std::string& id);
  rt::ListSandboxesResponse list_sandboxes(const rt::ListSandboxesRequest& request);
  rt::CreateContainerResponse create_container(const rt::CreateContainerRequest& request);
  void start_container(const std::string& id);
  void stop_container(const std::string& id, std::int64_t timeout_seconds);
  void remove_container(const std::string& id);
  rt::ContainerStatus container_status(const std::string& id);
  rt::ListContainersResponse list_containers(const rt::ListContainersRequest& request);
  rt::StatsResponse stats(const std::string& id);
  // Start streaming on a thread of their own; return once it is under way.
  void logs(const rt::LogsRequest& request);
  void exec(const rt::ExecRequest& request);

 private:
  void run_stream(std::function<void(const std::function<bool()>& stopped)> body, const std::string& stream);
  boost::json::value inspect(const std::string& id);

  DockerClient& client_;
  sdk::Bus& bus_;
  DockerRuntimeOptions options_;
  std::mutex mutex_;
  std::map<std::uint64_t, std::thread> streams_;
  std::vector<std::thread> finished_;
  std::uint64_t next_stream_ = 0;
  std::atomic<bool> stopping_{false};
};

// Labels the runtime puts on what it creates.
inline constexpr const char* kLabelPodUid = "io.skiff.pod.uid";
inline constexpr const char* kLabelPodName = "io.skiff.pod.name";
inline constexpr const char* kLabelPodNamespace = "io.skiff.pod.namespace";
inline constexpr const char* kLabelContainerName = "io.skiff.container.name";
inline constexpr const char* kLabelKind = "io.skiff.kind";  // sandbox or container
inline constexpr const char* kLabelSandbox = "io.skiff.sandbox.id";

}  // namespace skiff::docker
