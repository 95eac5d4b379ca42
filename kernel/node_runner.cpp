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
#include "plugin_cleanup.hpp"
#include "dependency_order.hpp"
#include "embedded_bus.hpp"
#include "in_process_plugin.hpp"
#include "isolated_plugin.hpp"
#include "logging.hpp"
#include "prepared_plugin.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/node_identity.hpp"
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

namespace {

// One run of a node — as the node itself, or as the child skiffd hosting one isolated plugin
// — and what it holds meanwhile, released in reverse on the way out.
class NodeRun {
 public:
  NodeRun(const RunOptions& options, NodePlan plan) : options_(options), plan_(std::move(plan)) {}

  // The node: data dir lock, its bus (embedded or joined), every plugin, the status and
  // metrics services and the connection file, until SIGTERM/SIGINT.
  int as_node() {
    try {
      lock_ = std::make_unique<DataDirLock>(plan_.data_dir);
      clean_up_removed_plugins(plan_.profile, plan_.data_dir);
      connect(open_bus());
      start_plugins();
      record_installed();
      serve_node_status();
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    log_ready();
    int signal = wait_for_stop_signal();
    kernel_log().info("{} received: stopping {} plugins in reverse order", strsignal(signal), runners_.size());
    shut_down(true);
    std::error_code ec;
    fs::remove(connection_file(plan_.data_dir), ec);
    kernel_log().info("node {} stopped", plan_.profile.node);
    return 0;
  }

  // The child: its parent's bus (from the environment), the one plugin, its host status; it
  // reports "ready" (or the error) to the parent on stdout.
  int as_isolated_child() {
    const char* parent_bus = std::getenv(kChildBusEnv);
    if (!parent_bus)
      return fail("--only is used by skiffd itself to host an isolated plugin; run `skiffd --profile …` instead");
    try {
      connect(parent_bus);
      start_plugins();
      status_service_ = sdk::serve_proto<kernel::v1::StatusRequest>(
          *bus_, subjects().host_status(options_.only), "",
          [this](const kernel::v1::StatusRequest&, const sdk::Request&) { return runners_.front()->status(); });
      report_to_parent("ready");
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    wait_for_stop_signal();
    shut_down();
    return 0;
  }

 private:
  bool child() const { return !options_.only.empty(); }
  sdk::Subjects subjects() const { return {plan_.profile.cluster, plan_.profile.node}; }

  // The bus's connection settings: the embedded server's (started here) or the profile's.
  std::string open_bus() {
    const Profile& profile = plan_.profile;
    if (!profile.embedded_bus) return YAML::Dump(profile.bus);
    embedded_ = std::make_unique<EmbeddedBus>(*profile.embedded_bus, plan_.data_dir, profile.cluster, profile.supervisor);
    embedded_->start();
    kernel_log().info("embedded bus listening on {}", embedded_->client_options().urls.front());
    return embedded_->client_options().to_yaml();
  }

  void connect(std::string bus_yaml) {
    bus_yaml_ = std::move(bus_yaml);
    sdk::BusOptions bus_options = sdk::BusOptions::from_yaml(bus_yaml_);
    bus_options.connection_name = plan_.profile.node + (child() ? "/skiffd:" + options_.only : "/skiffd");
    if (auto owner = sdk::node_of_bus_user(bus_options.user); owner && *owner != plan_.profile.node)
      throw std::runtime_error("bus.user '" + bus_options.user + "' is node " + *owner + "'s credentials, but this "
                               "profile's node is " + plan_.profile.node + "; on the master run `skiffd "
                               "node-credentials " + plan_.profile.node + "` and use what it prints");
    bus_ = sdk::connect_bus(bus_options, [](std::string_view warning) { kernel_log().warn("{}", warning); });
  }

  NodeSettings node_settings() const {
    const Profile& profile = plan_.profile;
    std::string labels;
    for (const auto& key : node_role_labels(profile.roles)) labels += key + "=\n";
    for (const auto& [key, value] : profile.labels) labels += key + "=" + value + "\n";
    return {profile.cluster, profile.node, plan_.data_dir, bus_yaml_, labels, profile.log_level};
  }

  // In dependency order; in process, or as a supervised child skiffd (`isolation: process`).
  void start_plugins() {
    NodeSettings node = node_settings();
    const Profile& profile = plan_.profile;
    for (std::size_t index : plan_.order.order) {
      const PreparedPlugin& p = plan_.prepared[index];
      PluginRunnerPtr runner;
      if (p.entry->isolation == Isolation::Process && !child()) {
        runner = std::make_unique<IsolatedPlugin>(
            p.entry->name, p.plugin,
            child_command(options_, plan_.data_dir, plan_.search_dirs, profile.node, p.entry->name), node,
            profile.supervisor, *bus_, profile.stop_timeout);
      } else {
        runner = std::make_unique<InProcessPlugin>(p.entry->name, p.plugin, p.config_yaml, node,
                                                   p.entry->log_level.value_or(profile.log_level));
      }
      kernel_log().debug("starting plugin {} ({} {}, API v{})", p.entry->name, p.plugin.kind, p.plugin.version,
                         p.plugin.api_version);
      runner->start();
      runners_.push_back(std::move(runner));
    }
  }

  // What ran, with its config: a plugin later taken out of the profile is cleaned up with it.
  void record_installed() {
    auto installed = read_installed(plan_.data_dir);
    for (std::size_t index : plan_.order.order) {
      const PreparedPlugin& p = plan_.prepared[index];
      std::erase_if(installed, [&](const InstalledPlugin& i) { return i.name == p.entry->name; });
      installed.push_back({p.entry->name, p.plugin.file, p.config_yaml});
    }
    write_installed(plan_.data_dir, installed);
  }

  void serve_node_status() {
    auto started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
    auto status = [this, started_ms, url = bus_->connected_url()] { return node_status(plan_, runners_, url, started_ms); };
    status_service_ = sdk::serve_proto<kernel::v1::StatusRequest>(
        *bus_, subjects().kernel_status(), "", [status](const kernel::v1::StatusRequest&, const sdk::Request&) { return status(); });
    metrics_service_ = bus_->serve(subjects().kernel_metrics(), "",
                                   [status](sdk::Request request) { request.reply(node_metrics(status())); });
    write_connection_info(plan_.data_dir, {plan_.profile.cluster, plan_.profile.node, bus_yaml_});
  }

  void announce_clean_stop() {
    try {
      bus_->publish(subjects().kernel_stopped(), plan_.profile.node);
      bus_->flush(std::chrono::seconds(1));
    } catch (const std::exception& e) {
      kernel_log().warn("could not announce the clean stop on the bus: {}", e.what());
    }
  }

  void log_ready() const {
    std::string names;
    for (const auto& r : runners_) names += (names.empty() ? "" : ", ") + r->instance();
    kernel_log().info("node {} ready: {} plugin{} started in {}{}", plan_.profile.node, runners_.size(),
                      runners_.size() == 1 ? "" : "s", elapsed_since(options_.started),
                      names.empty() ? "" : " (" + names + ")");
  }

  // `announce`: a node's clean stop is told to the cluster (a cloud provider reports its
  // machine shut down rather than gone); an isolated child's is not a node's.
  void shut_down(bool announce = false) {
    StopWatchdog watchdog(plan_.profile.stop_timeout, stopping_plugin_);
    release(announce);
  }

  // Whatever started is stopped again (nothing half-started is left behind).
  int fail(const std::string& reason) {
    kernel_log().error("{}", reason);
    if (child()) report_to_parent("error: " + reason);
    release();
    return 1;
  }

  void release(bool announce_stop = false) {
    status_service_.cancel();
    metrics_service_.cancel();
    stop_in_reverse(runners_, stopping_plugin_);
    if (announce_stop && bus_) announce_clean_stop();
    bus_.reset();
    if (embedded_) embedded_->stop();
  }

  const RunOptions& options_;
  NodePlan plan_;
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<EmbeddedBus> embedded_;
  std::string bus_yaml_;
  sdk::BusPtr bus_;
  std::vector<PluginRunnerPtr> runners_;
  std::atomic<const char*> stopping_plugin_{nullptr};
  sdk::Subscription status_service_;
  sdk::Subscription metrics_service_;
};

}  // namespace

int run_node(const RunOptions& options) {
  NodePlan plan;
  try {
    plan = plan_node(options);
  } catch (const std::exception& e) {
    if (!options.only.empty()) report_to_parent("error: " + std::string(e.what()));
    kernel_log().error("{}", e.what());
    return 1;
  }
  NodeRun run(options, std::move(plan));
  return options.only.empty() ? run.as_node() : run.as_isolated_child();
}

}  // namespace skiff::kernel
