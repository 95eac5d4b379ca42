// The skiffd subcommands besides running a node.
#pragma once

#include <string>
#include <vector>

namespace skiff::kernel {

// `skiffd plugins [--config NAME]`: what the plugin path holds, with manifests or one config table.
int plugins_command(const std::vector<std::string>& search_dirs, const std::string& config_of);

// `skiffd status`: the running node's plugins and their health, read over its bus.
int status_command(const std::string& data_dir, bool json);


}  // namespace skiff::kernel
