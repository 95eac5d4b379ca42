// RuntimeClient: one bus request per op; logs and exec read their ChunkStream to the end.
#include "skiff/sdk/runtime/runtime_client.hpp"

#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/chunk_stream.hpp"

namespace skiff::sdk {

namespace rt = runtime::v1;

RuntimeClient::RuntimeClient(Bus& bus, const Subjects& subjects, std::string node, std::chrono::milliseconds timeout,
                             std::string handler)
    : bus_(bus), subjects_(subjects), node_(std::move(node)), timeout_(timeout), handler_(std::move(handler)) {}

template <class Response, class Request>
Response RuntimeClient::call(const char* op, const Request& request) const {
  return sdk::call<Response>(bus_, subjects_.runtime_on(node_, op, handler_), request, timeout_);
}

rt::VersionResponse RuntimeClient::version() const { return call<rt::VersionResponse>("version", rt::VersionRequest()); }
rt::StatusResponse RuntimeClient::status() const { return call<rt::StatusResponse>("status", rt::StatusRequest()); }

void RuntimeClient::update_runtime_config(const std::string& pod_cidr) const {
  rt::RuntimeConfigRequest r;
  r.set_pod_cidr(pod_cidr);
  call<rt::RuntimeConfigRequest>("update_runtime_config", r);
}

rt::ImageResponse RuntimeClient::image(const std::string& image, const std::string& pull_policy) const {
  rt::ImageRequest r;
  r.set_image(image);
  r.set_pull_policy(pull_policy);
  return call<rt::ImageResponse>("image", r);
}

std::string RuntimeClient::run_sandbox(const rt::SandboxConfig& config, std::string* ip) const {
  rt::RunSandboxRequest r;
  *r.mutable_config() = config;
  auto response = call<rt::RunSandboxResponse>("run_sandbox", r);
  if (ip) *ip = response.ip();
  return response.sandbox_id();
}

void RuntimeClient::stop_sandbox(const std::string& id) const {
  rt::SandboxRequest r;
  r.set_sandbox_id(id);
  call<rt::SandboxRequest>("stop_sandbox", r);
}

void RuntimeClient::remove_sandbox(const std::string& id) const {
  rt::SandboxRequest r;
  r.set_sandbox_id(id);
  call<rt::SandboxRequest>("remove_sandbox", r);
}

rt::Sandbox RuntimeClient::sandbox_status(const std::string& id) const {
  rt::SandboxRequest r;
  r.set_sandbox_id(id);
  return call<rt::Sandbox>("sandbox_status", r);
}

std::vector<rt::Sandbox> RuntimeClient::list_sandboxes(const std::map<std::string, std::string>& labels) const {
  rt::ListSandboxesRequest r;
  for (const auto& [k, v] : labels) (*r.mutable_labels())[k] = v;
  auto response = call<rt::ListSandboxesResponse>("list_sandboxes", r);
  return {response.sandboxes().begin(), response.sandboxes().end()};
}

std::string RuntimeClient::create_container(const std::string& sandbox_id, const rt::ContainerConfig& config,
                                            const rt::SandboxConfig& sandbox) const {
  rt::CreateContainerRequest r;
  r.set_sandbox_id(sandbox_id);
  *r.mutable_config() = config;
  *r.mutable_sandbox_config() = sandbox;
  return call<rt::CreateContainerResponse>("create_container", r).container_id();
}

void RuntimeClient::start_container(const std::string& id) const {
  rt::ContainerRequest r;
  r.set_container_id(id);
  call<rt::ContainerRequest>("start_container", r);
}

void RuntimeClient::stop_container(const std::string& id, std::int64_t timeout_seconds) const {
  rt::ContainerRequest r;
  r.set_container_id(id);
  r.set_timeout_seconds(timeout_seconds);
  call<rt::ContainerRequest>("stop_container", r);
}

void RuntimeClient::remove_container(const std::string& id) const {
  rt::ContainerRequest r;
  r.set_container_id(id);
  call<rt::ContainerRequest>("remove_container", r);
}

rt::ContainerStatus RuntimeClient::container_status(const std::string& id) const {
  rt::ContainerRequest r;
  r.set_container_id(id);
  return call<rt::ContainerStatus>("container_status", r);
}

std::vector<rt::ContainerStatus> RuntimeClient::list_containers(const std::map<std::string, std::string>& labels,
                                                                const std::string& sandbox_id, bool verbose) const {
  rt::ListContainersRequest r;
  for (const auto& [k, v] : labels) (*r.mutable_labels())[k] = v;
  r.set_sandbox_id(sandbox_id);
  r.set_verbose(verbose);
  auto response = call<rt::ListContainersResponse>("list_containers", r);
  return {response.containers().begin(), response.containers().end()};
}

rt::StatsResponse RuntimeClient::stats(const std::string& id) const {
  rt::StatsRequest r;
  r.set_container_id(id);
  return call<rt::StatsResponse>("stats", r);
}

rt::SandboxStatsResponse RuntimeClient::sandbox_stats(const std::string& sandbox_id) const {
  rt::SandboxStatsRequest r;
  r.set_sandbox_id(sandbox_id);
  return call<rt::SandboxStatsResponse>("sandbox_stats", r);
}

rt::ListStatsResponse RuntimeClient::list_stats(const std::vector<std::string>& container_ids,
                                                const std::vector<std::string>& sandbox_ids) const {
  rt::ListStatsRequest r;
  for (const auto& id : container_ids) r.add_container_ids(id);
  for (const auto& id : sandbox_ids) r.add_sandbox_ids(id);
  return call<rt::ListStatsResponse>("list_stats", r);
}

void RuntimeClient::logs(rt::LogsRequest request, const std::function<bool(const rt::Chunk&)>& on_chunk) const {
  logs(std::move(request), on_chunk, [] { return true; }, std::chrono::hours(24));
}

void RuntimeClient::logs(rt::LogsRequest request, const std::function<bool(const rt::Chunk&)>& on_chunk,
                         const std::function<bool()>& still_wanted, std::chrono::milliseconds poll) const {
  ChunkStream stream(bus_, subjects_);
  request.set_stream(stream.subject());
  call<rt::LogsRequest>("logs", request);
  while (true) {
    auto next = stream.next(std::chrono::steady_clock::now() + poll);
    if (!next) {
      if (still_wanted()) continue;
      stream.stop();
      return;
    }
    const rt::Chunk& c = *next;
    if (c.done() && !c.error().empty()) throw Error(Status::Internal(c.error()));
    if (c.done()) return;
    if (!on_chunk(c)) {
      stream.stop();
      return;
    }
  }
}

int RuntimeClient::exec(rt::ExecRequest request, const std::function<bool(const rt::Chunk&)>& on_chunk,
                        const std::string& input, std::chrono::milliseconds deadline) const {
  auto until = deadline.count() > 0 ? std::chrono::steady_clock::now() + deadline : std::chrono::steady_clock::time_point::max();
  ChunkStream stream(bus_, subjects_);
  request.set_stream(stream.subject());
  if (!input.empty()) request.set_stdin(true);
  call<rt::ExecRequest>("exec", request);
  if (request.stdin()) stream.send_stdin(input, true);
  while (true) {
    auto next = stream.next(until);
    if (!next) {
      stream.stop();
      throw Error(Status::Timeout("exec: no answer within " + std::to_string(deadline.count()) + " ms"));
    }
    rt::Chunk c = std::move(*next);
    if (c.done() && !c.error().empty()) throw Error(Status::Internal(c.error()));
    if (c.done()) return c.exit_code();
    if (!on_chunk(c)) {
      stream.stop();
      return -1;
    }
  }
}

void RuntimeClient::port_forward(rt::PortForwardRequest request, const std::string& input,
                                 const std::function<bool(const rt::Chunk&)>& on_chunk,
                                 std::chrono::milliseconds deadline) const {
  auto until = deadline.count() > 0 ? std::chrono::steady_clock::now() + deadline : std::chrono::steady_clock::time_point::max();
  ChunkStream stream(bus_, subjects_);
  request.set_stream(stream.subject());
  call<rt::PortForwardRequest>("port_forward", request);
  stream.send_stdin(input, true);
  while (true) {
    auto next = stream.next(until);
    if (!next) {
      stream.stop();
      throw Error(Status::Timeout("port_forward: no end within " + std::to_string(deadline.count()) + " ms"));
    }
    if (next->done() && !next->error().empty()) throw Error(Status::Internal(next->error()));
    if (next->done()) return;
    if (!on_chunk(*next)) return stream.stop();
  }
}

void RuntimeClient::attach(rt::AttachRequest request, const std::string& input,
                           const std::function<bool(const rt::Chunk&)>& on_chunk, std::chrono::milliseconds deadline) const {
  auto until = deadline.count() > 0 ? std::chrono::steady_clock::now() + deadline : std::chrono::steady_clock::time_point::max();
  ChunkStream stream(bus_, subjects_);
  request.set_stream(stream.subject());
  if (!input.empty()) request.set_stdin(true);
  call<rt::AttachRequest>("attach", request);
  if (request.stdin()) stream.send_stdin(input, true);
  while (true) {
    auto next = stream.next(until);
    if (!next) {
      stream.stop();
      throw Error(Status::Timeout("attach: no end within " + std::to_string(deadline.count()) + " ms"));
    }
    if (next->done() && !next->error().empty()) throw Error(Status::Internal(next->error()));
    if (next->done()) return;
    if (!on_chunk(*next)) return stream.stop();
  }
}

}  // namespace skiff::sdk
