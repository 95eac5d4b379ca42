// The node's own usage from /proc and statvfs: what the summary's `node` reports. In `make
// cluster` every node is a network namespace on one machine, so CPU, memory and boot time are
// the machine's (shared by all those nodes) and only the network is the node's own.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::kubelet {

// /proc/meminfo's lines the summary needs, in bytes.
struct MemInfo {
  std::uint64_t total = 0;
  std::uint64_t free = 0;
  std::uint64_t available = 0;
  std::uint64_t inactive_file = 0;
};
MemInfo parse_meminfo(std::string_view text);

// CPU time the machine spent working, all cores: the "cpu" line of /proc/stat, user + nice +
// system + irq + softirq + steal jiffies (idle and iowait are not work), in nanoseconds.
std::uint64_t parse_cpu_nanos(std::string_view proc_stat, long ticks_per_second);
// /proc/stat's btime: when the machine booted, seconds since the epoch (0 when missing).
std::int64_t parse_boot_time(std::string_view proc_stat);

struct FsUsage {
  std::uint64_t capacity = 0, available = 0, used = 0;
  std::uint64_t inodes = 0, inodes_free = 0;
};

struct NodeUsage {
  std::uint64_t cpu_nanos = 0;
  MemInfo memory;
  std::int64_t boot_time = 0;
  std::vector<runtime::v1::InterfaceStats> interfaces;  // this network namespace's, lo left out
  std::optional<FsUsage> fs;                             // of the kubelet's data dir
};

// Reads /proc (`proc`) and statvfs(`fs_dir`).
NodeUsage read_node_usage(const std::string& fs_dir, const std::string& proc = "/proc");

// CPU, memory and boot time only (no network, no filesystem), and when they were read. The
// kubelets of one process (hollow nodes) share a reading under `max_age` old: the machine's
// /proc is the same for all of them.
struct NodeCpuMemory {
  NodeUsage usage;
  std::chrono::steady_clock::time_point read_at;
};
NodeCpuMemory read_node_cpu_memory(std::chrono::milliseconds max_age, const std::string& proc = "/proc");

}  // namespace skiff::kubelet
