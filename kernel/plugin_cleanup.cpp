// The host struct a cleanup gets (no bus), and the record of what ran on a data dir.
#include "plugin_cleanup.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "data_dir.hpp"
#include "logging.hpp"
#include "prepared_plugin.hpp"
#include "skiff/sdk/config_schema.hpp"

namespace skiff::kernel {
namespace fs = std::filesystem;
namespace {

std::string installed_file(const std::string& data_dir) { return data_dir + "/plugins-installed.yaml"; }

void log_from_plugin(void* context, int32_t level, const char* message, size_t size) {
  auto* logger = static_cast<spdlog::logger*>(context);
  logger->log(static_cast<spdlog::level::level_enum>(std::clamp<int32_t>(level, 0, spdlog::level::off)),
              std::string_view(message, size));
}

}  // namespace

bool cleanup_plugin(const LoadedPlugin& plugin, const InstalledPlugin& instance, const Profile& profile,
                    const std::string& data_dir) {
  if (!plugin.cleanup) return false;
  std::string plugin_data_dir = (fs::path(data_dir) / "plugins" / instance.name).string();
  auto log = make_logger(instance.name, profile.log_level);
  skiff_host host{};
  host.struct_size = sizeof(skiff_host);
  host.api_version = plugin.api_version;
  host.instance_name = instance.name.c_str();
  host.cluster_name = profile.cluster.c_str();
  host.node_name = profile.node.c_str();
  host.data_dir = plugin_data_dir.c_str();
  host.config_yaml = instance.config_yaml.c_str();
  host.config_size = instance.config_yaml.size();
  host.bus_yaml = "";
  host.log_level = static_cast<int32_t>(log->level());
  host.log_context = log.get();
  host.log = log_from_plugin;
  host.node_data_dir = data_dir.c_str();
  host.node_labels = "";
  char error[2048] = {0};
  if (plugin.cleanup(&host, error, sizeof error) != 0)
    throw PluginError("plugin " + instance.name + ": cleanup failed: " + error);
  return true;
}

std::vector<InstalledPlugin> read_installed(const std::string& data_dir) {
  std::vector<InstalledPlugin> out;
  if (!fs::exists(installed_file(data_dir))) return out;
  try {
    for (const auto& node : YAML::LoadFile(installed_file(data_dir)))
      out.push_back({node["name"].as<std::string>(), node["file"].as<std::string>(), node["config"].as<std::string>("")});
  } catch (const std::exception& e) {
    kernel_log().warn("{} unreadable ({}); plugins removed from the profile will not be cleaned up",
                      installed_file(data_dir), e.what());
  }
  return out;
}

void write_installed(const std::string& data_dir, const std::vector<InstalledPlugin>& plugins) {
  YAML::Emitter out;
  out << YAML::Comment("written by skiffd: the plugins that ran here, so that one taken out of the profile is cleaned up");
  out << YAML::BeginSeq;
  for (const auto& p : plugins)
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << p.name << YAML::Key << "file" << YAML::Value << p.file
        << YAML::Key << "config" << YAML::Value << YAML::Literal << p.config_yaml << YAML::EndMap;
  out << YAML::EndSeq;
  std::string temporary = installed_file(data_dir) + ".tmp";
  std::ofstream(temporary) << out.c_str() << "\n";
  fs::rename(temporary, installed_file(data_dir));
}

void clean_up_removed_plugins(const Profile& profile, const std::string& data_dir) {
  auto installed = read_installed(data_dir);
  std::vector<InstalledPlugin> kept;
  for (const auto& instance : installed) {
    bool still = std::any_of(profile.plugins.begin(), profile.plugins.end(),
                             [&](const PluginEntry& entry) { return entry.name == instance.name; });
    if (still) {
      kept.push_back(instance);
      continue;
    }
    try {
      LoadedPlugin plugin = load_plugin(instance.file, instance.name);
      if (cleanup_plugin(plugin, instance, profile, data_dir))
        kernel_log().info("plugin {} is no longer in the profile: removed what it left on the node", instance.name);
    } catch (const std::exception& e) {
      kernel_log().warn("plugin {} is no longer in the profile, and cleaning up after it failed: {}; run `skiffd "
                        "cleanup {}` once its file is back",
                        instance.name, e.what(), instance.name);
      kept.push_back(instance);  // try again next time
    }
  }
  if (kept.size() != installed.size()) write_installed(data_dir, kept);
}

int cleanup_command(const std::string& name, const std::string& profile_path, const std::string& data_dir,
                    const std::vector<std::string>& search_dirs) {
  try {
    // A running node's plugins still use what cleanup removes: only a stopped node's.
    DataDirLock lock(data_dir);
    Profile profile = profile_path.empty() ? Profile{} : load_profile(profile_path);
    InstalledPlugin instance{name, "", ""};
    LoadedPlugin plugin;
    if (!profile_path.empty()) {
      auto prepared = prepare_plugins(profile, search_dirs, name);
      plugin = prepared.front().plugin;
      instance = {name, plugin.file, prepared.front().config_yaml};
    } else {
      for (const auto& recorded : read_installed(data_dir))
        if (recorded.name == name) instance = recorded;
      std::string file = !instance.file.empty() && fs::exists(instance.file) ? instance.file : find_plugin_file(name, search_dirs);
      if (file.empty() || !fs::exists(file)) throw PluginError("no plugin " + name + ".so in the plugin path; pass --plugin-path DIR");
      plugin = load_plugin(file, name);
      if (instance.config_yaml.empty()) instance.config_yaml = YAML::Dump(sdk::validate_config(plugin.config, YAML::Node(), name));
    }
    if (!cleanup_plugin(plugin, instance, profile, data_dir)) {
      std::cout << "plugin " << name << " leaves nothing on the node to clean up\n";
      return 0;
    }
    std::cout << "plugin " << name << ": cleaned up\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "skiffd cleanup: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace skiff::kernel
