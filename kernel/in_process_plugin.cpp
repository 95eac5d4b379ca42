// create → start → (health …) → stop → destroy, with C strings and a C log callback.
#include "in_process_plugin.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "logging.hpp"

namespace skiff::kernel {
namespace {

void log_from_plugin(void* context, int32_t level, const char* message, size_t size) {
  auto* logger = static_cast<spdlog::logger*>(context);
  auto spd_level = static_cast<spdlog::level::level_enum>(std::clamp<int32_t>(level, 0, spdlog::level::off));
  logger->log(spd_level, std::string_view(message, size));
}

const char* health_name(int32_t state) {
  switch (state) {
    case SKIFF_HEALTH_OK: return "ok";
    case SKIFF_HEALTH_DEGRADED: return "degraded";
    default: return "failing";
  }
}

}  // namespace

InProcessPlugin::InProcessPlugin(std::string instance, const LoadedPlugin& plugin, std::string config_yaml,
                                 const NodeSettings& node, spdlog::level::level_enum log_level)
    : instance_(std::move(instance)),
      plugin_(plugin),
      config_yaml_(std::move(config_yaml)),
      node_(node),
      plugin_data_dir_((std::filesystem::path(node.data_dir) / "plugins" / instance_).string()),
      log_(make_logger(instance_, log_level)) {}

InProcessPlugin::~InProcessPlugin() { stop(); }

void InProcessPlugin::start() {
  std::error_code ec;
  std::filesystem::create_directories(plugin_data_dir_, ec);
  if (ec) throw PluginError("plugin " + instance_ + ": cannot create its data dir " + plugin_data_dir_ + ": " + ec.message());
  std::filesystem::permissions(plugin_data_dir_, std::filesystem::perms::owner_all, ec);

  skiff_host host{};
  host.struct_size = sizeof(skiff_host);
  host.api_version = plugin_.api_version;
  host.instance_name = instance_.c_str();
  host.cluster_name = node_.cluster.c_str();
  host.node_name = node_.node.c_str();
  host.data_dir = plugin_data_dir_.c_str();
  host.config_yaml = config_yaml_.c_str();
  host.config_size = config_yaml_.size();
  host.bus_yaml = node_.bus_yaml.c_str();
  host.bus_size = node_.bus_yaml.size();
  host.log_level = static_cast<int32_t>(log_->level());
  host.log_context = log_.get();
  host.log = log_from_plugin;
  host.node_data_dir = node_.data_dir.c_str();
  host.node_labels = node_.node_labels.c_str();

  auto set_state = [this](const char* state) {
    std::unique_lock lock(mutex_);
    state_ = state;
  };
  // No lock while the plugin's own code runs: a status request must not wait for a slow start.
  set_state("starting");
  char error[2048] = {0};
  void* handle = nullptr;
  if (plugin_.descriptor->create(&host, &handle, error, sizeof error) != 0) {
    set_state("failed");
    throw PluginError("plugin " + instance_ + ": create failed: " + error);
  }
  if (plugin_.descriptor->start(handle, error, sizeof error) != 0) {
    plugin_.descriptor->destroy(handle);
    set_state("failed");
    throw PluginError("plugin " + instance_ + ": start failed: " + error);
  }
  std::unique_lock lock(mutex_);
  handle_ = handle;
  state_ = "running";
}

void InProcessPlugin::stop() {
  std::unique_lock lock(mutex_);
  if (!handle_) return;
  state_ = "stopping";
  char error[2048] = {0};
  if (plugin_.descriptor->stop(handle_, error, sizeof error) != 0)
    log_->warn("stop reported an error: {}", error);
  plugin_.descriptor->destroy(handle_);
  handle_ = nullptr;
  state_ = "stopped";
}

kernel::v1::PluginStatus InProcessPlugin::status() {
  kernel::v1::PluginStatus status;
  status.set_name(instance_);
  status.set_plugin(plugin_.name);
  status.set_kind(plugin_.kind);
  status.set_version(plugin_.version);
  status.set_isolation("in-process");
  status.set_api_version(plugin_.api_version);
  status.set_pid(getpid());
  std::shared_lock lock(mutex_);
  status.set_state(state_);
  if (handle_) {
    char message[1024] = {0};
    int32_t health = plugin_.descriptor->health(handle_, message, sizeof message);
    status.set_health(health_name(health));
    status.set_message(message);
  } else {
    status.set_health("unknown");
  }
  return status;
}

}  // namespace skiff::kernel
