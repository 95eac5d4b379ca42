// The child reports "ready" or "error: …" on a pipe; its health is read over the bus.
#include "isolated_plugin.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "logging.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "subprocess.hpp"

namespace skiff::kernel {
namespace {

// Reads the child's one status line, up to the deadline.
std::optional<std::string> read_ready_line(int fd, std::chrono::steady_clock::time_point deadline) {
  std::string line;
  char buffer[512];
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "did not report started in time";
    pollfd entry{fd, POLLIN, 0};
    int ready = poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return "did not report started in time";
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "exited before it started (see its log lines above)";
    line.append(buffer, static_cast<std::size_t>(n));
  }
  line.resize(line.find('\n'));
  if (line == "ready") return std::nullopt;
  if (line.rfind("error: ", 0) == 0) return line.substr(7);
  return "reported '" + line + "' instead of ready";
}

}  // namespace

IsolatedPlugin::IsolatedPlugin(std::string instance, const LoadedPlugin& plugin, std::vector<std::string> child_argv,
                               const NodeSettings& node, const SupervisorSettings& supervisor, sdk::Bus& kernel_bus,
                               std::chrono::milliseconds stop_grace)
    : instance_(std::move(instance)),
      plugin_(plugin),
      kernel_bus_(kernel_bus),
      subjects_(node.cluster, node.node),
      stop_grace_(stop_grace) {
  ProcessSpec spec;
  spec.name = "plugin " + instance_ + " (isolated)";
  spec.policy = {supervisor.restart_backoff, supervisor.restart_backoff_max, supervisor.max_restarts,
                 supervisor.restart_window, supervisor.start_timeout};
  std::string bus_env = std::string(kChildBusEnv) + "=" + node.bus_yaml;
  spec.launch = [argv = std::move(child_argv), bus_env] {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    SpawnOptions options;
    options.argv = argv;
    options.extra_env = {bus_env, std::string(kChildReadyFdEnv) + "=3"};
    options.pass_fds = {pipe_fds[1]};
    LaunchedProcess launched;
    try {
      launched.pid = spawn_process(options);
    } catch (...) {
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      throw;
    }
    close(pipe_fds[1]);
    launched.ready_fd = pipe_fds[0];
    return launched;
  };
  spec.wait_ready = [](const LaunchedProcess& launched, std::chrono::steady_clock::time_point deadline) {
    return read_ready_line(launched.ready_fd, deadline);
  };
  process_ = std::make_unique<SupervisedProcess>(std::move(spec), make_logger("skiffd", node.log_level));
}

IsolatedPlugin::~IsolatedPlugin() { stop(); }

void IsolatedPlugin::start() {
  try {
    process_->start();
  } catch (const std::exception& e) {
    throw PluginError("plugin " + instance_ + ": start failed (isolated): " + e.what());
  }
}

void IsolatedPlugin::stop() { process_->stop(stop_grace_); }

kernel::v1::PluginStatus IsolatedPlugin::status() {
  SupervisedProcess::Snapshot snapshot = process_->snapshot();
  kernel::v1::PluginStatus status;
  status.set_health("unknown");
  if (snapshot.state == SupervisedProcess::State::Running) {
    try {
      status = sdk::call<kernel::v1::PluginStatus>(kernel_bus_, subjects_.host_status(instance_),
                                                   kernel::v1::StatusRequest(), std::chrono::milliseconds(1000));
    } catch (const sdk::Error& e) {
      status.set_message("no health answer: " + std::string(e.what()));
    }
  } else {
    status.set_message(snapshot.last_error);
  }
  status.set_name(instance_);
  status.set_plugin(plugin_.name);
  status.set_kind(plugin_.kind);
  status.set_version(plugin_.version);
  status.set_api_version(plugin_.api_version);
  status.set_isolation("process");
  status.set_state(std::string(to_string(snapshot.state)));
  status.set_restarts(static_cast<uint32_t>(snapshot.restarts));
  status.set_pid(snapshot.pid);
  return status;
}

}  // namespace skiff::kernel
