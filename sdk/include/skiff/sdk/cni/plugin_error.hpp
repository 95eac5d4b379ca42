// A CNI plugin's failure as a Status: its error JSON (code, msg, details) when it wrote one,
// else what it printed and how it exited — always naming the plugin, the command and the network.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "skiff/sdk/cni/request.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk::cni {

// The run that failed: which plugin, doing what, and how it ended.
struct PluginRun {
  std::string plugin;   // its type: "bridge"
  Command command = Command::Add;
  std::string network;  // the list's name
};

// A plugin that exited non-zero (`how_it_ended`: "exit code 1", "signal 9 (Killed)") or wrote an
// error result. CNI code 11 (try again later) and 50/51 (not available) become 503, others 500.
Status plugin_failure(const PluginRun& run, std::string_view how_it_ended, std::string_view out, std::string_view err);

// A plugin still running at its deadline (it was killed): 504.
Status plugin_timeout(const PluginRun& run, std::chrono::milliseconds timeout, std::string_view err);

// A plugin binary in none of the plugin dirs: 500, naming the dirs and the fix.
Status plugin_missing(const PluginRun& run, const std::vector<std::string>& plugin_dirs);

}  // namespace skiff::sdk::cni
