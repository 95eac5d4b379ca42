// Finds each profile entry's .so, loads it, and validates its config block against its table.
#include "prepared_plugin.hpp"

#include <filesystem>

#include "logging.hpp"
#include "skiff/sdk/config_schema.hpp"

namespace skiff::kernel {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "(no directories)" : out;
}

}  // namespace

std::deque<PreparedPlugin> prepare_plugins(const Profile& profile, const std::vector<std::string>& search_dirs,
                                           const std::string& only) {
  std::deque<PreparedPlugin> prepared;
  for (const auto& entry : profile.plugins) {
    if (!only.empty() && entry.name != only) continue;
    std::string file = entry.path.empty() ? find_plugin_file(entry.plugin, search_dirs) : entry.path;
    bool missing = file.empty() || !std::filesystem::exists(file);
    if (missing && entry.optional) {
      // Optional entries name features this node may go without: say which is off, and why.
      kernel_log().warn("plugin {} not installed ({} not found{}): what it serves is off on this node; "
                        "build it (make build) or remove it from {}",
                        entry.name, entry.path.empty() ? entry.plugin + ".so" : entry.path,
                        entry.path.empty() ? " in " + joined(search_dirs) : "", profile.source);
      continue;
    }
    if (missing) {
      if (!entry.path.empty())
        throw PluginError("plugin " + entry.name + ": file " + entry.path + " does not exist (" + entry.where +
                          "); fix `path:` or build the plugin");
      throw PluginError("plugin " + entry.name + ": " + entry.plugin + ".so not found in " + joined(search_dirs) +
                        "; build it (make build), pass --plugin-path DIR, or mark it `optional: true` in " +
                        profile.source);
    }
    PreparedPlugin item;
    item.entry = &entry;
    item.plugin = load_plugin(file, entry.name);
    if (!entry.plugin.empty() && item.plugin.name != entry.plugin)
      throw PluginError("plugin " + entry.name + ": " + file + " holds plugin '" + item.plugin.name + "', not '" +
                        entry.plugin + "'; rename the file or set `plugin: " + item.plugin.name + "` (" + entry.where +
                        ")");
    try {
      YAML::Node config = sdk::validate_config(item.plugin.config, entry.config,
                                               profile.source + ": plugin " + entry.name + " config");
      item.config_yaml = YAML::Dump(config);
    } catch (const sdk::ConfigError& e) {
      throw ProfileError(std::string(e.what()) + " (see `skiffd plugins --config " + item.plugin.name + "`)");
    }
    prepared.push_back(std::move(item));
  }
  if (!only.empty() && prepared.empty())
    throw ProfileError("profile " + profile.source + " has no plugin named '" + only + "'");
  return prepared;
}

}  // namespace skiff::kernel
