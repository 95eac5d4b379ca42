// A profile entry resolved to a loaded, checked plugin with its validated config.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "plugin_library.hpp"
#include "profile.hpp"

namespace skiff::kernel {

struct PreparedPlugin {
  const PluginEntry* entry = nullptr;
  LoadedPlugin plugin;
  std::string config_yaml;  // defaults applied
};

// Loads every plugin of the profile (or just `only`), before any plugin code beyond the
// manifest runs. Missing optional plugins are skipped with a warning. Throws PluginError or
// ProfileError. A deque so references stay valid.
std::deque<PreparedPlugin> prepare_plugins(const Profile& profile, const std::vector<std::string>& search_dirs,
                                           const std::string& only = "");

}  // namespace skiff::kernel
