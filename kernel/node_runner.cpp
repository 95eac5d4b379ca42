// The kernel's main sequence. Refuse before anything runs; start in order; stop in reverse.
#include "node_runner.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <sstream>
#include <thread>

#include "data_dir.hpp"
#include "dependency_order.hpp"
#include "embedded_bus.hpp"
#include "in_process_plugin.hpp"
#include "isolated_plugin.hpp"
#include "logging.hpp"
#include "prepared_plugin.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/duration.hpp"
#include "skiff/sdk/metrics.hpp"
#include "version.hpp"

namespace skiff::kernel {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int wait_for_stop_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  int signal = 0;
  while (sigwait(&signals, &signal) != 0) {
  }
  return signal;
}

// Exits the process if a clean stop overruns its deadline: a hung plugin must not hang the node.
class StopWatchdog {
 public:
  explicit StopWatchdog(std::chrono::milliseconds deadline, const std::atomic<const char*>& current)
      : thread_([this, deadline, &current] {
          std::unique_lock lock(mutex_);
          if (done_cv_.wait_for(lock, deadline, [&] { return done_; })) return;
          const char* who = current.load();
          kernel_log().error("stop did not finish within {}{}; exiting anyway", sdk::format_duration(deadline),
                             who ? std::string(" (still stopping plugin ") + who + ")" : "");
          kernel_log().flush();
          _exit(2);  // children die with us (PR_SET_PDEATHSIG)
        }) {}
  ~StopWatchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

std::string elapsed_since(Clock::time_point start) {
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::ostringstream out;
  out.precision(ms < 10 ? 2 : 0);
  out << std::fixed << ms << " ms";
  return out.str();
}

std::vector<std::string> child_command(const RunOptions& options, const std::string& data_dir,
                                       const std::vector<std::string>& search_dirs, const std::string& node,
                                       const std::string& instance) {
  std::vector<std::string> argv = {options.self_exe, "--profile", options.profile, "--data-dir", data_dir,
                                   "--node", node};
  for (const auto& dir : search_dirs) {
    argv.push_back("--plugin-path");
    argv.push_back(dir);
  }
  if (options.log_level) {
    argv.push_back("--log-level");
    argv.push_back(std::string(spdlog::level::to_string_view(*options.log_level).data()));
  }
  argv.push_back("--only");
  argv.push_back(instance);
  return argv;
}

// Reports "ready" / "error: …" to the parent skiffd when we are its isolated child.
void report_to_parent(const std::string& line) {
  const char* fd_text = std::getenv(kChildReadyFdEnv);
  if (!fd_text) return;
  int fd = std::atoi(fd_text);
  std::string text = line + "\n";
  (void)!write(fd, text.data(), text.size());
  close(fd);
  unsetenv(kChildReadyFdEnv);
}

struct NodePlan {
  Profile profile;
  std::string data_dir;
  std::vector<std::string> search_dirs;
  std::deque<PreparedPlugin> prepared;
  StartPlan order;
};

NodePlan plan_node(const RunOptions& options) {
  NodePlan plan;
  plan.profile = load_profile(options.profile);
  if (!options.node.empty()) plan.profile.node = options.node;
  if (options.log_level) plan.profile.log_level = *options.log_level;
  init_logging(plan.profile.log_level);
  plan.data_dir = !options.data_dir.empty() ? options.data_dir
                  : !plan.profile.data_dir.empty() ? plan.profile.data_dir
                                                   : default_data_dir();
  plan.data_dir = fs::absolute(plan.data_dir).lexically_normal().string();
  plan.search_dirs = plugin_search_dirs(options.plugin_paths, options.self_exe);
  plan.prepared = prepare_plugins(plan.profile, plan.search_dirs, options.only);
  std::vector<PlannedPlugin> planned;
  for (const auto& p : plan.prepared) planned.push_back({p.entry->name, p.entry->optional, &p.plugin});
  if (options.only.empty()) {
    plan.order = plan_start_order(planned);
  } else {
    plan.order.order = {0};  // the parent already checked the graph
  }
  for (const auto& skipped : plan.order.skipped) kernel_log().warn("plugin {} — skipped", skipped);
  return plan;
}

kernel::v1::NodeStatus node_status(const NodePlan& plan, const std::vector<PluginRunnerPtr>& runners,
                                   const std::string& bus_url, std::int64_t started_ms) {
  kernel::v1::NodeStatus status;
  status.set_node(plan.profile.node);
  status.set_cluster(plan.profile.cluster);
  status.set_kernel_version(kSkiffVersion);
  status.set_started_at_unix_ms(started_ms);
  status.set_bus_url(bus_url);
  status.set_pid(getpid());
  for (const auto& runner : runners) *status.add_plugins() = runner->status();
  return status;
}

// Prometheus text derived from the same status: scraped rarely, so computed on demand.
std::string node_metrics(const kernel::v1::NodeStatus& status) {
  sdk::Metrics metrics;
  for (const auto& p : status.plugins()) {
    sdk::Labels labels = {{"plugin", p.name()}, {"kind", p.kind()}, {"isolation", p.isolation()}};
    metrics.gauge("skiff_plugin_up", "1 when the plugin is running", labels).set(p.state() == "running" ? 1 : 0);
    metrics.gauge("skiff_plugin_healthy", "1 ok, 0.5 degraded, 0 failing or unknown", labels)
        .set(p.health() == "ok" ? 1 : p.health() == "degraded" ? 0.5 : 0);
    metrics.counter("skiff_plugin_restarts_total", "crash restarts of an isolated plugin", labels).inc(p.restarts());
  }
  return metrics.prometheus_text();
}

void stop_in_reverse(std::vector<PluginRunnerPtr>& runners, std::atomic<const char*>& current) {
  for (auto it = runners.rbegin(); it != runners.rend(); ++it) {
    current = (*it)->instance().c_str();
    kernel_log().info("stopping plugin {}", (*it)->instance());
    (*it)->stop();
  }
  current = nullptr;
  runners.clear();
}

}  // namespace

std::vector<std::string> plugin_search_dirs(const std::vector<std::string>& explicit_dirs, const std::string& self_exe) {
  std::vector<std::string> dirs;
  for (const auto& dir : explicit_dirs) dirs.push_back(fs::absolute(dir).lexically_normal().string());
  if (const char* env = std::getenv("SKIFF_PLUGIN_PATH")) {
    std::stringstream list(env);
    for (std::string dir; std::getline(list, dir, ':');)
      if (!dir.empty()) dirs.push_back(fs::absolute(dir).lexically_normal().string());
  }
  if (!self_exe.empty())
    dirs.push_back((fs::path(self_exe).parent_path().parent_path() / "lib" / "skiff" / "plugins").lexically_normal().string());
  return dirs;
}

int run_node(const RunOptions& options) {
  const bool child = !options.only.empty();
  NodePlan plan;
  try {
    plan = plan_node(options);
  } catch (const std::exception& e) {
    if (child) report_to_parent("error: " + std::string(e.what()));
    kernel_log().error("{}", e.what());
    return 1;
  }
  const Profile& profile = plan.profile;

  std::unique_ptr<DataDirLock> lock;
  std::unique_ptr<EmbeddedBus> embedded;
  std::string bus_yaml;
  sdk::BusPtr bus;
  std::vector<PluginRunnerPtr> runners;
  std::atomic<const char*> stopping_plugin{nullptr};
  auto abort_start = [&](const std::string& reason) {
    kernel_log().error("{}", reason);
    if (child) report_to_parent("error: " + reason);
    stop_in_reverse(runners, stopping_plugin);
    bus.reset();
    if (embedded) embedded->stop();
    return 1;
  };

  try {
    if (child) {
      const char* from_parent = std::getenv(kChildBusEnv);
      if (!from_parent) return abort_start("--only is used by skiffd itself to host an isolated plugin; run "
                                           "`skiffd --profile …` instead");
      bus_yaml = from_parent;
    } else {
      lock = std::make_unique<DataDirLock>(plan.data_dir);
      if (profile.embedded_bus) {
        embedded = std::make_unique<EmbeddedBus>(*profile.embedded_bus, plan.data_dir, profile.supervisor);
        embedded->start();
        bus_yaml = embedded->client_options().to_yaml();
        kernel_log().info("embedded bus listening on {}", embedded->client_options().urls.front());
      } else {
        bus_yaml = YAML::Dump(profile.bus);
      }
    }
    sdk::BusOptions bus_options = sdk::BusOptions::from_yaml(bus_yaml);
    bus_options.connection_name = profile.node + (child ? "/skiffd:" + options.only : "/skiffd");
    bus = sdk::connect_bus(bus_options, [](std::string_view warning) { kernel_log().warn("{}", warning); });
  } catch (const std::exception& e) {
    return abort_start(e.what());
  }

  std::string labels;
  for (const auto& role : profile.roles) labels += "node-role.kubernetes.io/" + role + "=\n";
  for (const auto& [key, value] : profile.labels) labels += key + "=" + value + "\n";
  NodeSettings node{profile.cluster, profile.node, plan.data_dir, bus_yaml, labels, profile.log_level};
  sdk::Subjects subjects(profile.cluster, profile.node);
  for (std::size_t index : plan.order.order) {
    const PreparedPlugin& p = plan.prepared[index];
    auto level = p.entry->log_level.value_or(profile.log_level);
    PluginRunnerPtr runner;
    if (p.entry->isolation == Isolation::Process && !child) {
      runner = std::make_unique<IsolatedPlugin>(
          p.entry->name, p.plugin, child_command(options, plan.data_dir, plan.search_dirs, profile.node, p.entry->name),
          node, profile.supervisor, *bus, profile.stop_timeout);
    } else {
      runner = std::make_unique<InProcessPlugin>(p.entry->name, p.plugin, p.config_yaml, node, level);
    }
    try {
      kernel_log().debug("starting plugin {} ({} {}, API v{})", p.entry->name, p.plugin.kind, p.plugin.version,
                         p.plugin.api_version);
      runner->start();
    } catch (const std::exception& e) {
      return abort_start(e.what());
    }
    runners.push_back(std::move(runner));
  }

  auto started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
  std::string bus_url = bus->connected_url();
  sdk::Subscription status_service;
  sdk::Subscription metrics_service;
  try {
    if (child) {
      status_service = sdk::serve_proto<kernel::v1::StatusRequest>(
          *bus, subjects.host_status(options.only), "",
          [&](const kernel::v1::StatusRequest&, const sdk::Request&) { return runners.front()->status(); });
      report_to_parent("ready");
    } else {
      status_service = sdk::serve_proto<kernel::v1::StatusRequest>(
          *bus, subjects.kernel_status(), "", [&](const kernel::v1::StatusRequest&, const sdk::Request&) {
            return node_status(plan, runners, bus_url, started_ms);
          });
      metrics_service = bus->serve(subjects.kernel_metrics(), "", [&](sdk::Request request) {
        request.reply(node_metrics(node_status(plan, runners, bus_url, started_ms)));
      });
      write_connection_info(plan.data_dir, {profile.cluster, profile.node, bus_yaml});
    }
  } catch (const std::exception& e) {
    status_service.cancel();
    metrics_service.cancel();
    return abort_start(e.what());
  }

  if (!child) {
    std::string names;
    for (const auto& r : runners) names += (names.empty() ? "" : ", ") + r->instance();
    kernel_log().info("node {} ready: {} plugin{} started in {}{}", profile.node, runners.size(),
                      runners.size() == 1 ? "" : "s", elapsed_since(options.started),
                      names.empty() ? "" : " (" + names + ")");
  }

  int signal = wait_for_stop_signal();
  if (!child) kernel_log().info("{} received: stopping {} plugins in reverse order", strsignal(signal), runners.size());
  StopWatchdog watchdog(profile.stop_timeout, stopping_plugin);
  status_service.cancel();
  metrics_service.cancel();
  stop_in_reverse(runners, stopping_plugin);
  bus.reset();
  if (embedded) embedded->stop();
  if (!child) {
    std::error_code ec;
    fs::remove(connection_file(plan.data_dir), ec);
    kernel_log().info("node {} stopped", profile.node);
  }
  return 0;
}

}  // namespace skiff::kernel
