// `skiffd --profile …`: load, check, order and start a node's plugins; stop them on a signal.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/common.h>

namespace skiff::kernel {

struct RunOptions {
  std::string profile;
  std::string data_dir;  // empty: the profile's, else the default
  std::vector<std::string> plugin_paths;
  std::string node;  // overrides the profile's node name
  std::optional<spdlog::level::level_enum> log_level;
  std::string only;  // internal: host just this plugin, as a supervised child
  std::string self_exe;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// Runs until SIGTERM/SIGINT; returns the process exit code. Every refusal is logged as one line.
// SIGINT, SIGTERM and SIGHUP must already be blocked in the calling thread (see main).
int run_node(const RunOptions& options);

// --plugin-path dirs, then $SKIFF_PLUGIN_PATH, then <exe dir>/../lib/skiff/plugins.
std::vector<std::string> plugin_search_dirs(const std::vector<std::string>& explicit_dirs, const std::string& self_exe);

}  // namespace skiff::kernel
