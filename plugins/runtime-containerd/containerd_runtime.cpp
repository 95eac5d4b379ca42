#include "containerd_runtime.hpp"

#include <thread>

#include <boost/json.hpp>

#include "cri_errors.hpp"
#include "cri_log.hpp"
#include "cri_translate.hpp"
#include "log_file_reader.hpp"
#include "port_forwarder.hpp"
#include "remote_command.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::containerd {

using namespace runtime_common;

using sdk::Error;
using sdk::Status;
using namespace std::chrono_literals;

namespace {

// containerd reloads its CNI config when the directory changes (inotify); the first sandbox
// after a new conflist waits this long at most for it.
constexpr auto kNetworkReloadWait = 10s;
constexpr auto kNetworkPollEvery = 50ms;

void select_labels(const google::protobuf::Map<std::string, std::string>& labels, const char* kind,
                   google::protobuf::Map<std::string, std::string>& selector) {
  selector.insert(labels.begin(), labels.end());
  selector[sdk::label::kKind] = kind;
}

// Exec and attach both stream through containerd's streaming server at `url`.
sdk::StreamBody relay(const std::string& url, const RemoteCommandStreams& streams) {
  auto command = std::make_shared<RemoteCommandClient>(url, streams);
  return [command, with_stdin = streams.stdin, tty = streams.tty](sdk::RuntimeStream& stream) {
    stream.on_stop([command] { command->cancel(); });
    if (tty)
      stream.on_resize([command](std::uint32_t width, std::uint32_t height) {
        try {
          command->resize(width, height);
        } catch (const Error&) {
          // The command ended: there is no terminal left to resize.
        }
      });
    if (with_stdin)
      stream.on_stdin([command](std::string_view data, bool last) {
        try {
          command->write_stdin(data);
          if (last) command->close_stdin();
        } catch (const Error&) {
          // The command ended and its streams are gone: the rest of the input goes nowhere.
        }
      });
    ExecOutcome outcome = command->run([&](int fd, std::string_view data) { stream.write(fd, data); });
    if (!outcome.failure.empty()) stream.write(2, outcome.failure + "\n");
    return outcome.exit_code;
  };
}

}  // namespace

ContainerdRuntime::ContainerdRuntime(CriClient& client, ContainerdRuntimeOptions options)
    : client_(client), options_(std::move(options)) {}

rt::VersionResponse ContainerdRuntime::version() {
  auto v = client_.version();
  rt::VersionResponse out;
  out.set_runtime_name(v.runtime_name().empty() ? "containerd" : v.runtime_name());
  out.set_runtime_version(v.runtime_version());
  out.set_api_version("v1");
  return out;
}

std::string ContainerdRuntime::network_problem() {
  auto status = client_.status();
  for (const auto& c : status.status().conditions())
    if (c.type() == "NetworkReady" && !c.status())
      return "containerd's CNI network is not ready (" + c.reason() + ": " + c.message() + ")";
  return "";
}

rt::StatusResponse ContainerdRuntime::status() {
  rt::StatusResponse out;
  try {
    if (options_.cni) options_.cni->sync();
    auto status = client_.status();
    std::string problem;
    for (const auto& c : status.status().conditions())
      if (!c.status() && (c.type() == "RuntimeReady" || c.type() == "NetworkReady"))
        problem += (problem.empty() ? "" : "; ") + c.type() + " is false: " + c.reason() + " " + c.message();
    out.set_ready(problem.empty());
    out.set_message(problem.empty() ? "containerd is up, CNI network from " + (options_.cni ? options_.cni->source() : "containerd")
                                    : problem);
  } catch (const Error& e) {
    out.set_ready(false);
    out.set_message(e.status().message);
  }
  return out;
}

void ContainerdRuntime::ensure_network(std::chrono::milliseconds timeout) {
  if (options_.cni) options_.cni->sync();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string problem;
  while (!(problem = network_problem()).empty()) {
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(Status{503, "NetworkNotReady",
                         problem + "; the conflist in use: " + (options_.cni ? options_.cni->source() : "containerd's own")});
    std::this_thread::sleep_for(kNetworkPollEvery);
  }
}

rt::ImageResponse ContainerdRuntime::image(const rt::ImageRequest& request) {
  const std::string& name = request.image();
  std::string policy = request.pull_policy().empty() ? "IfNotPresent" : request.pull_policy();
  auto present = client_.image_status(name);
  rt::ImageResponse out;
  if (present.has_image() && policy != "Always") {
    out.set_image_ref(present.image().id());
    out.set_size_bytes(static_cast<std::int64_t>(present.image().size()));
    return out;
  }
  if (policy == "Never") throw Error(never_pull_failure(name));
  client_.pull_image(name);
  auto pulled = client_.image_status(name);
  if (!pulled.has_image()) throw Error(pull_failure(name, "containerd reports it missing after the pull"));
  out.set_image_ref(pulled.image().id());
  out.set_size_bytes(static_cast<std::int64_t>(pulled.image().size()));
  out.set_pulled(true);
  return out;
}

rt::RunSandboxResponse ContainerdRuntime::run_sandbox(const rt::RunSandboxRequest& request) {
  const auto& config = request.config();
  if (!config.host_network()) ensure_network(kNetworkReloadWait);
  cri::RunPodSandboxRequest run;
  *run.mutable_config() = to_cri_sandbox(config, options_.log_directory, options_.cgroup_parent, next_sandbox_attempt(config));
  auto id = client_.run_pod_sandbox(run).pod_sandbox_id();
  rt::RunSandboxResponse out;
  out.set_sandbox_id(id);
  out.set_ip(from_cri(client_.pod_sandbox_status(id).status()).ip());
  return out;
}

std::uint32_t ContainerdRuntime::next_sandbox_attempt(const rt::SandboxConfig& config) {
  // The pod's sandboxes still there (a dead one the kubelet replaces is removed only later)
  // keep their names reserved: the next attempt is after the highest of them.
  cri::ListPodSandboxRequest list;
  auto& selector = *list.mutable_filter()->mutable_label_selector();
  selector[sdk::label::kPodUid] = config.pod_uid();
  selector[sdk::label::kKind] = sdk::label::kKindSandbox;
  auto listed = client_.list_pod_sandbox(list);
  std::uint32_t next = 0;
  for (const auto& s : listed.items()) next = std::max(next, s.metadata().attempt() + 1);
  return next;
}

void ContainerdRuntime::stop_sandbox(const std::string& id) { client_.stop_pod_sandbox(id); }

void ContainerdRuntime::remove_sandbox(const std::string& id) {
  try {
    client_.stop_pod_sandbox(id);  // CRI removes only a stopped sandbox
    client_.remove_pod_sandbox(id);
  } catch (const Error& e) {
    if (e.status().code != 404) throw;
  }
}

rt::Sandbox ContainerdRuntime::sandbox_status(const std::string& id) {
  return from_cri(client_.pod_sandbox_status(id).status());
}

rt::ListSandboxesResponse ContainerdRuntime::list_sandboxes(const rt::ListSandboxesRequest& request) {
  cri::ListPodSandboxRequest list;
  select_labels(request.labels(), sdk::label::kKindSandbox, *list.mutable_filter()->mutable_label_selector());
  rt::ListSandboxesResponse out;
  auto listed = client_.list_pod_sandbox(list);
  for (const auto& s : listed.items()) {
    auto* sandbox = out.add_sandboxes();
    *sandbox = from_cri(s);
    if (s.state() == cri::SANDBOX_READY) {  // the IP is only in the status
      try {
        sandbox->set_ip(client_.pod_sandbox_status(s.id()).status().network().ip());
      } catch (const Error& e) {
        if (e.status().code != 404) throw;
      }
    }
  }
  return out;
}

rt::CreateContainerResponse ContainerdRuntime::create_container(const rt::CreateContainerRequest& request) {
  cri::CreateContainerRequest create;
  create.set_pod_sandbox_id(request.sandbox_id());
  *create.mutable_config() = to_cri_container(request);
  if (needs_image_user(request.config())) {
    auto image = client_.image_status(request.config().image());
    if (image.has_image()) take_image_user(*create.mutable_config(), image.image());
  }
  *create.mutable_sandbox_config() = to_cri_sandbox_of(request, options_.log_directory, options_.cgroup_parent);
  try {
    rt::CreateContainerResponse out;
    out.set_container_id(client_.create_container(create).container_id());
    return out;
  } catch (const Error& e) {
    // A missing image is the kubelet's ErrImagePull, not a runtime failure.
    if (e.status().message.find("failed to get image") != std::string::npos ||
        (e.status().message.find("image \"") != std::string::npos && e.status().code == 404))
      throw Error(Status{404, "ErrImagePull", "image \"" + request.config().image() + "\" is not present: " + e.status().message});
    throw;
  }
}

void ContainerdRuntime::start_container(const std::string& id) { client_.start_container(id); }

void ContainerdRuntime::stop_container(const std::string& id, std::int64_t timeout_seconds) {
  client_.stop_container(id, std::max<std::int64_t>(0, timeout_seconds));
}

void ContainerdRuntime::remove_container(const std::string& id) {
  client_.container_status(id);  // 404 for an unknown one: CRI's remove is idempotent, the contract's is not
  client_.remove_container(id);
}

rt::ContainerStatus ContainerdRuntime::container_status(const std::string& id) {
  return from_cri(client_.container_status(id).status());
}

rt::ListContainersResponse ContainerdRuntime::list_containers(const rt::ListContainersRequest& request) {
  cri::ListContainersRequest list;
  auto* filter = list.mutable_filter();
  filter->set_pod_sandbox_id(request.sandbox_id());
  select_labels(request.labels(), sdk::label::kKindContainer, *filter->mutable_label_selector());
  rt::ListContainersResponse out;
  auto listed = client_.list_containers(list);
  for (const auto& c : listed.containers()) {
    if (request.verbose()) {
      try {
        *out.add_containers() = container_status(c.id());
      } catch (const Error& e) {
        if (e.status().code != 404) throw;  // removed since the list
      }
      continue;
    }
    auto* s = out.add_containers();
    s->set_id(c.id());
    s->set_name(c.labels().count(sdk::label::kContainerName) ? c.labels().at(sdk::label::kContainerName) : c.metadata().name());
    s->set_image(c.image().image());
    s->set_image_ref(c.image_ref());
    s->set_state(c.state() == cri::CONTAINER_CREATED   ? "CREATED"
                 : c.state() == cri::CONTAINER_RUNNING ? "RUNNING"
                 : c.state() == cri::CONTAINER_EXITED  ? "EXITED"
                                                       : "UNKNOWN");
    s->set_created_at(rfc3339_from_nanos(c.created_at()));
    s->mutable_labels()->insert(c.labels().begin(), c.labels().end());
    s->set_sandbox_id(c.pod_sandbox_id());
  }
  return out;
}

std::string ContainerdRuntime::log_path_of(const std::string& id) {
  auto status = client_.container_status(id).status();  // 404 before the stream starts
  if (status.log_path().empty())
    throw Error(Status::NotFound("container " + id + " has no log file (created without a log directory)"));
  return status.log_path();
}

sdk::StreamBody ContainerdRuntime::logs(const rt::LogsRequest& request) {
  std::string path = log_path_of(request.container_id());
  LogReadOptions options;
  options.follow = request.follow();
  options.tail = request.tail_lines();
  options.timestamps = request.timestamps();
  options.not_before_nanos = logs_not_before_nanos(request.since_seconds(), request.since_time_unix_nano());
  return [this, path, options, id = request.container_id()](sdk::RuntimeStream& stream) {
    read_cri_log(path, options,
                 LogReadCallbacks{
                     [&](int fd, std::string_view data) { stream.write(fd, data); },
                     [&] {
                       try {
                         return client_.container_status(id).status().state() == cri::CONTAINER_EXITED;
                       } catch (const Error& e) {
                         return e.status().code == 404;  // removed: nothing more will come
                       }
                     },
                     [&] { return stream.stopped(); }});
    return 0;
  };
}

sdk::StreamBody ContainerdRuntime::exec(const rt::ExecRequest& request) {
  auto status = client_.container_status(request.container_id()).status();
  if (status.state() != cri::CONTAINER_RUNNING)
    throw Error(Status::Conflict("container " + request.container_id() + " is not running: cannot exec in it"));
  cri::ExecRequest exec;
  exec.set_container_id(request.container_id());
  for (const auto& part : request.command()) exec.add_cmd(part);
  exec.set_tty(request.tty());
  exec.set_stdin(request.stdin());
  exec.set_stdout(true);
  exec.set_stderr(!request.tty());
  std::string url = client_.exec(exec).url();
  return relay(url, {request.stdin(), true, !request.tty(), request.tty()});
}

sdk::StreamBody ContainerdRuntime::attach(const rt::AttachRequest& request) {
  auto status = client_.container_status(request.container_id()).status();
  if (status.state() != cri::CONTAINER_RUNNING)
    throw Error(Status::Conflict("container " + request.container_id() + " is not running: cannot attach to it"));
  cri::AttachRequest attach;
  attach.set_container_id(request.container_id());
  attach.set_tty(request.tty());
  attach.set_stdin(request.stdin());
  attach.set_stdout(true);
  attach.set_stderr(!request.tty());
  std::string url = client_.attach(attach).url();
  return relay(url, {request.stdin(), true, !request.tty(), request.tty()});
}

// containerd's verbose sandbox status names the sandbox's (pause) process, whose network
// namespace is the pod's; entering it is what containerd's own PortForward does too.
sdk::StreamBody ContainerdRuntime::port_forward(const rt::PortForwardRequest& request) {
  auto status = client_.pod_sandbox_status(request.sandbox_id(), true);  // 404 before the stream starts
  if (status.status().state() != cri::SANDBOX_READY)
    throw Error(Status::Conflict("sandbox " + request.sandbox_id() + " is not ready: no network namespace to forward into"));
  std::int64_t pid = sandbox_pid(status);
  if (pid <= 0)
    throw Error(Status::Internal("containerd gave no pid for sandbox " + request.sandbox_id() +
                                 " (its verbose status lacks info.pid); cannot find its network namespace"));
  return runtime_common::forward_port("/proc/" + std::to_string(pid) + "/ns/net", request.port());
}

}  // namespace skiff::containerd
