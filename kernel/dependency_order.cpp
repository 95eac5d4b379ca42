// Kahn's algorithm over capabilities; a leftover set is a cycle, reported as a path.
#include "dependency_order.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace skiff::kernel {
namespace {

std::vector<std::string> capabilities_of(const PlannedPlugin& p) {
  std::vector<std::string> caps{p.plugin->name};
  if (p.instance != p.plugin->name) caps.push_back(p.instance);
  for (const auto& c : p.plugin->provides) caps.push_back(c.name);
  return caps;
}

// Providers of each capability among the plugins still in the plan.
std::map<std::string, std::vector<std::size_t>> providers(const std::vector<PlannedPlugin>& plugins,
                                                          const std::vector<bool>& active) {
  std::map<std::string, std::vector<std::size_t>> by_capability;
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    if (!active[i]) continue;
    for (const auto& cap : capabilities_of(plugins[i])) {
      auto& list = by_capability[cap];
      if (std::find(list.begin(), list.end(), i) == list.end()) list.push_back(i);
    }
  }
  return by_capability;
}

void refuse_exclusive_conflicts(const std::vector<PlannedPlugin>& plugins, const std::vector<bool>& active) {
  std::map<std::string, std::size_t> owner;
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    if (!active[i]) continue;
    for (const auto& cap : plugins[i].plugin->provides) {
      if (!cap.exclusive) continue;
      auto [it, inserted] = owner.emplace(cap.name, i);
      if (!inserted)
        throw PluginError("plugin " + plugins[i].instance + ": provides '" + cap.name + "', which plugin " +
                          plugins[it->second].instance + " already provides and only one plugin may; remove one "
                          "of them from the profile");
    }
  }
}

std::string describe_cycle(const std::vector<PlannedPlugin>& plugins, const std::vector<std::vector<std::size_t>>& deps,
                           const std::set<std::size_t>& left) {
  // Walk dependencies inside the leftover set until a node repeats: that loop is the cycle.
  std::size_t at = *left.begin();
  std::vector<std::size_t> path;
  std::map<std::size_t, std::size_t> seen;
  while (!seen.count(at)) {
    seen[at] = path.size();
    path.push_back(at);
    for (std::size_t d : deps[at])
      if (left.count(d)) {
        at = d;
        break;
      }
  }
  std::string text;
  for (std::size_t i = seen[at]; i < path.size(); ++i) text += plugins[path[i]].instance + " → ";
  return text + plugins[at].instance;
}

}  // namespace

StartPlan plan_start_order(const std::vector<PlannedPlugin>& plugins) {
  StartPlan plan;
  std::vector<bool> active(plugins.size(), true);

  // Dropping an optional plugin can leave another one's needs unmet: repeat until stable.
  for (bool changed = true; changed;) {
    changed = false;
    auto by_capability = providers(plugins, active);
    for (std::size_t i = 0; i < plugins.size(); ++i) {
      if (!active[i]) continue;
      for (const auto& need : plugins[i].plugin->requires_capabilities) {
        if (by_capability.count(need)) continue;
        if (!plugins[i].optional)
          throw PluginError("plugin " + plugins[i].instance + ": requires '" + need +
                            "', which no plugin in the profile provides; add a plugin that provides it");
        plan.skipped.push_back(plugins[i].instance + " (optional): requires '" + need + "', which nothing provides");
        active[i] = false;
        changed = true;
        break;
      }
    }
  }
  refuse_exclusive_conflicts(plugins, active);

  auto by_capability = providers(plugins, active);
  std::vector<std::vector<std::size_t>> deps(plugins.size());
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    if (!active[i]) continue;
    for (const auto& need : plugins[i].plugin->requires_capabilities)
      for (std::size_t provider : by_capability[need])
        if (provider != i) deps[i].push_back(provider);
  }

  std::set<std::size_t> left;
  for (std::size_t i = 0; i < plugins.size(); ++i)
    if (active[i]) left.insert(i);
  while (!left.empty()) {
    // The first (in profile order) plugin whose dependencies are all started goes next.
    auto ready = std::find_if(left.begin(), left.end(), [&](std::size_t i) {
      return std::none_of(deps[i].begin(), deps[i].end(), [&](std::size_t d) { return left.count(d) > 0; });
    });
    if (ready == left.end())
      throw PluginError("plugins " + describe_cycle(plugins, deps, left) +
                        " require each other (a dependency cycle); remove one of those requires");
    plan.order.push_back(*ready);
    left.erase(ready);
  }
  return plan;
}

}  // namespace skiff::kernel
