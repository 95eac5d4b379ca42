// Kahn's algorithm over capabilities; a leftover set is a cycle, reported as a path.
#include "dependency_order.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "capability.hpp"

namespace skiff::kernel {
namespace {

// Canonical names (see capability.hpp): "runtime" and "skiff.runtime.v1" are one capability.
std::vector<std::string> capabilities_of(const PlannedPlugin& p) {
  std::vector<std::string> caps{canonical_capability(p.plugin->name)};
  if (p.instance != p.plugin->name) caps.push_back(canonical_capability(p.instance));
  for (const auto& c : p.plugin->provides) caps.push_back(canonical_capability(c.name));
  return caps;
}

// Why nothing satisfies `need`: when plugins provide the same kind at other versions, say
// which — a kubelet for skiff.runtime.v1 beside a runtime offering only v2 is a version
// mismatch, not a missing runtime.
std::string unmet_reason(const std::vector<PlannedPlugin>& plugins, const std::vector<bool>& active,
                         const std::string& need) {
  auto wanted = versioned_name(need);
  std::string others;
  for (std::size_t i = 0; wanted && i < plugins.size(); ++i) {
    if (!active[i]) continue;
    for (const auto& c : plugins[i].plugin->provides) {
      auto offered = versioned_name(c.name);
      if (offered && offered->family == wanted->family && offered->version != wanted->version)
        others += (others.empty() ? "" : ", ") + plugins[i].instance + " provides " + canonical_capability(c.name);
    }
  }
  if (others.empty()) return "requires '" + need + "', which no plugin in the profile provides; add a plugin that provides it";
  return "requires " + canonical_capability(need) + ", but only other versions are offered (" + others +
         "); use plugins built against the same version of that contract";
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
      auto [it, inserted] = owner.emplace(canonical_capability(cap.name), i);
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
        if (by_capability.count(canonical_capability(need))) continue;
        std::string reason = unmet_reason(plugins, active, need);
        if (!plugins[i].optional) throw PluginError("plugin " + plugins[i].instance + ": " + reason);
        plan.skipped.push_back(plugins[i].instance + " (optional): " + reason);
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
      for (std::size_t provider : by_capability[canonical_capability(need)])
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
