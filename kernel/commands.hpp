// The skiffd subcommands besides running a node.
#pragma once

#include <string>
#include <vector>

namespace skiff::kernel {

// `skiffd plugins [--config NAME [--markdown]]`: what the plugin path holds, with manifests, or
// one plugin's config table (as text, or as the Markdown its README carries).
int plugins_command(const std::vector<std::string>& search_dirs, const std::string& config_of, bool markdown = false);

// `skiffd status`: the running node's plugins and their health, read over its bus.
int status_command(const std::string& data_dir, bool json);


}  // namespace skiff::kernel
