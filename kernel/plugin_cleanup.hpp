// Removing what a plugin leaves on the node (its descriptor's cleanup, layout 3): on demand
// (`skiffd cleanup NAME`), and when a plugin that ran on this data dir is no longer in the
// profile — the record of what ran is <data dir>/plugins-installed.yaml.
#pragma once

#include <string>
#include <vector>

#include "plugin_library.hpp"
#include "profile.hpp"

namespace skiff::kernel {

struct InstalledPlugin {
  std::string name;  // the instance name in the profile
  std::string file;
  std::string config_yaml;
};

// Runs the plugin's cleanup with this config; false when it has none. Throws PluginError.
bool cleanup_plugin(const LoadedPlugin& plugin, const InstalledPlugin& instance, const Profile& profile,
                    const std::string& data_dir);

std::vector<InstalledPlugin> read_installed(const std::string& data_dir);
void write_installed(const std::string& data_dir, const std::vector<InstalledPlugin>& plugins);

// The plugins recorded as installed that the profile no longer names: each cleaned up (errors
// logged, not fatal: a node must still start), then forgotten.
void clean_up_removed_plugins(const Profile& profile, const std::string& data_dir);

// `skiffd cleanup NAME [--profile P] [--data-dir D]`: with the profile's config for it, else
// the recorded one, else the plugin's defaults.
int cleanup_command(const std::string& name, const std::string& profile_path, const std::string& data_dir,
                    const std::vector<std::string>& search_dirs);

}  // namespace skiff::kernel
