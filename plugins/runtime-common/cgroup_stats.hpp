// A container's usage read straight from its cgroup's files, v1 or v2, as cAdvisor reads them:
// cumulative CPU, memory usage, working set (usage less inactive file pages, never below 0),
// RSS, page faults and the limit. What every runtime plugin reports from `stats`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::runtime_common {

enum class CgroupVersion { V1, V2 };

// v2 when `root` is a cgroup2 mount (statfs magic), else v1 (per-controller hierarchies).
CgroupVersion cgroup_version(const std::string& root = "/sys/fs/cgroup");

// Where one cgroup's files are: the memory and CPU controllers' directories (one and the
// same directory on v2).
struct CgroupDirs {
  CgroupVersion version = CgroupVersion::V1;
  std::string memory;
  std::string cpu;
};

// A cgroup named by its path inside the hierarchies ("/docker/<id>").
CgroupDirs cgroup_dirs(const std::string& path, CgroupVersion version, const std::string& root = "/sys/fs/cgroup");

// /proc/<pid>/cgroup's lines ("4:memory:/docker/<id>", "0::/<path>") as controller → path;
// v2's unified line is under "". Controllers sharing a line ("cpu,cpuacct") each get it.
std::map<std::string, std::string> parse_proc_cgroup(std::string_view text);

// The cgroup process `pid` is in; nullopt when the process is gone.
std::optional<CgroupDirs> cgroup_dirs_of_pid(int pid, CgroupVersion version, const std::string& root = "/sys/fs/cgroup",
                                             const std::string& proc = "/proc");

// The figures a cgroup's files give (timestamp set; rootfs left 0). Throws sdk::Error(404)
// when the memory directory is gone (the container stopped meanwhile).
runtime::v1::StatsResponse read_cgroup_stats(const CgroupDirs& dirs);

}  // namespace skiff::runtime_common
