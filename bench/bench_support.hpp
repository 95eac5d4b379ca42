// What the benchmarks share: reading a process's memory and CPU, and a plugin's metrics.
#pragma once

#include <sys/types.h>

#include <string>

#include "plugin_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"

namespace skiff::bench {

// A line of /proc/<pid>/status in kB: "VmRSS", "RssAnon" (private heap), "RssFile" (mapped files).
long status_kb(pid_t pid, const std::string& field);
inline long rss_kb(pid_t pid) { return status_kb(pid, "VmRSS"); }

// A Deployment `name` in "default" of `replicas` pods labelled app=<name>, one container of
// `image` requesting 10m cpu (and `memory`, if given).
api::apps::v1::Deployment deployment(const std::string& name, int replicas, const std::string& image,
                                     const std::string& memory = "");

// CPU time (user + system) a process has used so far.
double cpu_seconds(pid_t pid);

// Waits (up to 30 s) until a process stops using CPU, so that requests still being served from
// one phase do not land in the next phase's latencies.
void wait_idle(pid_t pid);

// One sample of a counter or gauge (labels ignored) from a plugin's metrics subject; -1 if absent.
double plugin_metric(test::PluginNode& node, const std::string& plugin, const std::string& name);

}  // namespace skiff::bench
