// The caller's side of the runtime contract: typed calls to a node's runtime service
// (skiff.<c>.node.<node>.runtime[.<handler>].<op>), with the streams (logs, exec) read to their
// end on the caller's thread. The serving side is serve_runtime.hpp.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "skiff/runtime/v1/runtime.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::sdk {

class RuntimeClient {
 public:
  // handler: the RuntimeClass handler whose runtime to talk to; "" the node's default one.
  RuntimeClient(Bus& bus, const Subjects& subjects, std::string node,
                std::chrono::milliseconds timeout = std::chrono::seconds(60), std::string handler = "");

  runtime::v1::VersionResponse version() const;
  runtime::v1::StatusResponse status() const;
  // Tells the runtime the node's pod subnet (CRI's UpdateRuntimeConfig).
  void update_runtime_config(const std::string& pod_cidr) const;
  runtime::v1::ImageResponse image(const std::string& image, const std::string& pull_policy = "IfNotPresent") const;
  // The new sandbox's id; its IP into `ip` when given.
  std::string run_sandbox(const runtime::v1::SandboxConfig& config, std::string* ip = nullptr) const;
  void stop_sandbox(const std::string& id) const;
  void remove_sandbox(const std::string& id) const;
  runtime::v1::Sandbox sandbox_status(const std::string& id) const;
  std::vector<runtime::v1::Sandbox> list_sandboxes(const std::map<std::string, std::string>& labels = {}) const;
  std::string create_container(const std::string& sandbox_id, const runtime::v1::ContainerConfig& config,
                               const runtime::v1::SandboxConfig& sandbox) const;
  void start_container(const std::string& id) const;
  void stop_container(const std::string& id, std::int64_t timeout_seconds) const;
  void remove_container(const std::string& id) const;
  runtime::v1::ContainerStatus container_status(const std::string& id) const;
  // verbose: each as container_status() would give it, in the one call.
  std::vector<runtime::v1::ContainerStatus> list_containers(const std::map<std::string, std::string>& labels = {},
                                                            const std::string& sandbox_id = "", bool verbose = false) const;
  runtime::v1::StatsResponse stats(const std::string& id) const;
  runtime::v1::SandboxStatsResponse sandbox_stats(const std::string& sandbox_id) const;
  // Empty lists: every running container and ready sandbox of this runtime.
  runtime::v1::ListStatsResponse list_stats(const std::vector<std::string>& container_ids = {},
                                            const std::vector<std::string>& sandbox_ids = {}) const;

  // Streams the logs to `on_chunk` until they end or it returns false. Throws the runtime's
  // error (404 for an unknown container).
  void logs(runtime::v1::LogsRequest request, const std::function<bool(const runtime::v1::Chunk&)>& on_chunk) const;
  // The same for a reader that must be able to leave while nothing comes (a quiet container
  // followed): each `poll` without a chunk asks `still_wanted`, and false stops the stream.
  void logs(runtime::v1::LogsRequest request, const std::function<bool(const runtime::v1::Chunk&)>& on_chunk,
            const std::function<bool()>& still_wanted, std::chrono::milliseconds poll) const;
  // Runs a command; output goes to `on_chunk`; `input` (if any) is sent as stdin first.
  // Returns the exit code; throws Error(504) when `deadline` (0: none) passes first.
  int exec(runtime::v1::ExecRequest request, const std::function<bool(const runtime::v1::Chunk&)>& on_chunk,
           const std::string& input = "", std::chrono::milliseconds deadline = std::chrono::milliseconds(0)) const;

  // Forwards to the sandbox's localhost:port: sends `input` (and closes the writing side),
  // then hands what comes back to `on_chunk` until the pod ends the connection. Throws the
  // runtime's error (404 unknown sandbox; 500 with the message when nothing listens there).
  void port_forward(runtime::v1::PortForwardRequest request, const std::string& input,
                    const std::function<bool(const runtime::v1::Chunk&)>& on_chunk,
                    std::chrono::milliseconds deadline = std::chrono::milliseconds(0)) const;

  // Attaches to a running container: `input` (if any) goes to its stdin and is then closed;
  // its output goes to `on_chunk` until it ends or on_chunk returns false. Throws the runtime's
  // error (404, 409 not running, 501 not supported) or Error(504) when `deadline` passes first.
  void attach(runtime::v1::AttachRequest request, const std::string& input,
              const std::function<bool(const runtime::v1::Chunk&)>& on_chunk,
              std::chrono::milliseconds deadline = std::chrono::milliseconds(0)) const;

  const std::string& node() const { return node_; }
  const std::string& handler() const { return handler_; }

 private:
  template <class Response, class Request>
  Response call(const char* op, const Request& request) const;

  Bus& bus_;
  Subjects subjects_;
  std::string node_;
  std::chrono::milliseconds timeout_;
  std::string handler_;
};

}  // namespace skiff::sdk
