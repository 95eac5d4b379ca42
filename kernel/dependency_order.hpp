// Orders a node's plugins by requires/provides, refusing conflicts, unmet needs and cycles.
#pragma once

#include <string>
#include <vector>

#include "plugin_library.hpp"

namespace skiff::kernel {

struct PlannedPlugin {
  std::string instance;  // name in the profile
  bool optional = false;
  const LoadedPlugin* plugin = nullptr;
};

struct StartPlan {
  std::vector<std::size_t> order;  // indices into the input, dependencies first
  std::vector<std::string> skipped;  // optional plugins left out, each with the reason
};

// Every plugin provides its own name as a capability too. An optional plugin whose needs are
// unmet is skipped (listed in `skipped`); a required one is an error. Ties keep profile order.
// Throws PluginError.
StartPlan plan_start_order(const std::vector<PlannedPlugin>& plugins);

}  // namespace skiff::kernel
