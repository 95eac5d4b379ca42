// Loading a plugin .so and checking its descriptor before any of its code runs.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "skiff/abi/plugin_abi.h"
#include "skiff/sdk/config.hpp"

namespace skiff::kernel {

// A refusal: one line naming the plugin, the problem and the fix.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CapabilityInfo {
  std::string name;
  bool exclusive = false;
};

// A loaded, checked plugin: the manifest copied out of the descriptor, and its callbacks.
struct LoadedPlugin {
  std::string file;
  std::string name;
  std::string kind;
  std::string version;
  std::string description;
  std::uint32_t api_min = 0;
  std::uint32_t api_max = 0;
  std::uint32_t api_version = 0;  // negotiated: the highest both sides support
  std::vector<CapabilityInfo> provides;
  std::vector<std::string> requires_capabilities;
  sdk::ConfigTable config;
  const skiff_plugin_descriptor* descriptor = nullptr;
  // Layout 3: what it left on the node, removed without an instance; null: nothing to remove.
  int32_t (*cleanup)(const skiff_host*, char*, size_t) = nullptr;
};

// The SDK API versions this kernel speaks.
inline constexpr std::uint32_t kKernelApiMin = SKIFF_API_VERSION_MIN;
inline constexpr std::uint32_t kKernelApiMax = SKIFF_API_VERSION_MAX;

// Loads the file (never unloaded afterwards) and validates the descriptor; throws PluginError.
// `label` names the plugin in messages (the profile instance, or the file when listing).
LoadedPlugin load_plugin(const std::string& file, const std::string& label);

// The candidate files for a plugin name: <dir>/<name>.so for each search directory.
std::string find_plugin_file(const std::string& name, const std::vector<std::string>& search_dirs);

// Every *.so in the search directories, in order, first occurrence of a name wins.
std::vector<std::string> list_plugin_files(const std::vector<std::string>& search_dirs);

}  // namespace skiff::kernel
