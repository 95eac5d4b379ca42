// The runtime contract (skiff.runtime.v1): what a runtime plugin implements. serve_runtime()
// (serve_runtime.hpp) puts it on the bus; RuntimeClient (runtime_client.hpp) is the caller's
// side. An implementation holds only its own logic: no subjects, no parsing, no threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/capabilities.hpp"

namespace skiff::sdk {

// The versioned capability a runtime provides and the kubelet requires.
inline constexpr const char* kRuntimeCapability = capability::kRuntime;

// The sending end of one logs or exec stream, made by serve_runtime for each stream.
// Every member may be called from any thread.
class RuntimeStream {
 public:
  virtual ~RuntimeStream() = default;
  // Output for the caller: fd 1 is stdout, fd 2 stderr.
  virtual void write(int fd, std::string_view data) = 0;
  // True once the caller asked to stop, or the runtime is being stopped: end the stream soon.
  virtual bool stopped() const = 0;
  // Called once, from any thread, when the stream becomes stopped (at once if it already is):
  // for a body blocked elsewhere to wake up.
  virtual void on_stop(std::function<void()> wake) = 0;
  // Exec with stdin: the caller's input as it arrives; `last` means stdin was closed. Input
  // that arrived before the handler was set is delivered to it first, in order.
  virtual void on_stdin(std::function<void(std::string_view data, bool last)> handler) = 0;
  // With a tty: the caller's terminal size as it changes (the latest one that arrived before
  // the handler was set is delivered to it first). Streams that cannot resize never set one.
  virtual void on_resize(std::function<void(std::uint32_t width, std::uint32_t height)> /*handler*/) {}
};

// A stream's work, run by serve_runtime on a thread of its own once the request has been
// accepted. Returns the exit code (exec; logs return 0); throwing Error ends the stream with
// that error instead.
using StreamBody = std::function<int(RuntimeStream&)>;

// One node's container runtime, after CRI: pod sandboxes (the pod's network and IPC
// namespaces) holding containers. Methods are called concurrently from serve_runtime's
// workers; throw Error with the status the caller should see (404 for an unknown id,
// Status reasons ErrImagePull / ErrImageNeverPull for images, 409 for a wrong state).
class RuntimeService {
 public:
  virtual ~RuntimeService() = default;

  virtual runtime::v1::VersionResponse version() = 0;
  virtual runtime::v1::StatusResponse status() = 0;
  // What the kubelet learned of the node (its pod subnet). Optional: the default ignores it.
  virtual void update_runtime_config(const runtime::v1::RuntimeConfigRequest& /*config*/) {}
  // Makes the image present as the request's pull policy says.
  virtual runtime::v1::ImageResponse image(const runtime::v1::ImageRequest& request) = 0;

  // Label sandboxes with sandbox_labels() and containers with container_labels() (labels.hpp).
  virtual runtime::v1::RunSandboxResponse run_sandbox(const runtime::v1::RunSandboxRequest& request) = 0;
  virtual void stop_sandbox(const std::string& sandbox_id) = 0;
  // Removes the sandbox and every container in it; an unknown id is not an error.
  virtual void remove_sandbox(const std::string& sandbox_id) = 0;
  virtual runtime::v1::Sandbox sandbox_status(const std::string& sandbox_id) = 0;
  // Every sandbox carrying all of the request's labels.
  virtual runtime::v1::ListSandboxesResponse list_sandboxes(const runtime::v1::ListSandboxesRequest& request) = 0;

  virtual runtime::v1::CreateContainerResponse create_container(const runtime::v1::CreateContainerRequest& request) = 0;
  virtual void start_container(const std::string& container_id) = 0;
  // SIGTERM, then SIGKILL after timeout_seconds (0: at once).
  virtual void stop_container(const std::string& container_id, std::int64_t timeout_seconds) = 0;
  virtual void remove_container(const std::string& container_id) = 0;
  virtual runtime::v1::ContainerStatus container_status(const std::string& container_id) = 0;
  // Containers carrying all of the request's labels (and in its sandbox, when it names one);
  // `verbose` asks for each as container_status() gives it.
  virtual runtime::v1::ListContainersResponse list_containers(const runtime::v1::ListContainersRequest& request) = 0;
  // A container's usage (404 for an unknown one); figures it cannot know stay 0.
  virtual runtime::v1::StatsResponse stats(const std::string& container_id) = 0;
  // A pod's network interfaces as its sandbox sees them, `lo` left out (404 for an unknown
  // sandbox; none with host network or once the sandbox is stopped).
  virtual runtime::v1::SandboxStatsResponse sandbox_stats(const std::string& sandbox_id) = 0;
  // Many at once, what the kubelet asks each time it collects; empty lists mean every running
  // container and every ready sandbox; ids gone meanwhile are left out. The default asks
  // stats() and sandbox_stats() for each: override it when the runtime has a cheaper batch.
  virtual runtime::v1::ListStatsResponse list_stats(const runtime::v1::ListStatsRequest& request);

  // The streams: check what can be checked (throw 404 for an unknown container, 409 when an
  // exec's container is not running) and return the body that streams. The caller's request
  // is answered only after this returns, so a thrown error reaches it as the request's error.
  virtual StreamBody logs(const runtime::v1::LogsRequest& request) = 0;
  virtual StreamBody exec(const runtime::v1::ExecRequest& request) = 0;
  // Throw 404 for an unknown sandbox; the body connects to localhost:port in the sandbox's
  // network namespace and pipes stdin to it and its bytes out on fd 1 until either side ends.
  // A port nothing listens on throws Error from the body (the stream's error).
  virtual StreamBody port_forward(const runtime::v1::PortForwardRequest& request) = 0;
  // Throw 404 for an unknown container, 409 when it is not running, 501 (Status reason
  // NotImplemented) when this runtime cannot attach; the body relays the container's stdio.
  virtual StreamBody attach(const runtime::v1::AttachRequest& request) = 0;
};

}  // namespace skiff::sdk

// Declares every RuntimeService method as an override, in an implementation's class body, so
// that the list is written once, here (what each must do: RuntimeService above).
#define SKIFF_RUNTIME_SERVICE_OVERRIDES                                                                       \
  ::skiff::runtime::v1::VersionResponse version() override;                                                   \
  ::skiff::runtime::v1::StatusResponse status() override;                                                     \
  ::skiff::runtime::v1::ImageResponse image(const ::skiff::runtime::v1::ImageRequest& request) override;      \
  ::skiff::runtime::v1::RunSandboxResponse run_sandbox(const ::skiff::runtime::v1::RunSandboxRequest& request) \
      override;                                                                                               \
  void stop_sandbox(const std::string& sandbox_id) override;                                                  \
  void remove_sandbox(const std::string& sandbox_id) override;                                                \
  ::skiff::runtime::v1::Sandbox sandbox_status(const std::string& sandbox_id) override;                       \
  ::skiff::runtime::v1::ListSandboxesResponse list_sandboxes(                                                 \
      const ::skiff::runtime::v1::ListSandboxesRequest& request) override;                                    \
  ::skiff::runtime::v1::CreateContainerResponse create_container(                                             \
      const ::skiff::runtime::v1::CreateContainerRequest& request) override;                                  \
  void start_container(const std::string& container_id) override;                                             \
  void stop_container(const std::string& container_id, std::int64_t timeout_seconds) override;                \
  void remove_container(const std::string& container_id) override;                                            \
  ::skiff::runtime::v1::ContainerStatus container_status(const std::string& container_id) override;           \
  ::skiff::runtime::v1::ListContainersResponse list_containers(                                               \
      const ::skiff::runtime::v1::ListContainersRequest& request) override;                                   \
  ::skiff::runtime::v1::StatsResponse stats(const std::string& container_id) override;                        \
  ::skiff::runtime::v1::SandboxStatsResponse sandbox_stats(const std::string& sandbox_id) override;           \
  ::skiff::sdk::StreamBody logs(const ::skiff::runtime::v1::LogsRequest& request) override;                   \
  ::skiff::sdk::StreamBody exec(const ::skiff::runtime::v1::ExecRequest& request) override;                   \
  ::skiff::sdk::StreamBody port_forward(const ::skiff::runtime::v1::PortForwardRequest& request) override;      \
  ::skiff::sdk::StreamBody attach(const ::skiff::runtime::v1::AttachRequest& request) override;
