// A container's usage from its cgroup v1 files: cumulative CPU (cpuacct.usage) and the memory
// working set (memory.usage_in_bytes less memory.stat's total_inactive_file, as the kubelet's
// cAdvisor counts it).
#pragma once

#include <string>

#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::runc {

// `cgroup` is the path under each hierarchy ("/skiff-runc/<id>"); throws sdk::Error(404) when
// the cgroup is gone (the container is not running).
runtime::v1::StatsResponse cgroup_stats(const std::string& cgroup, const std::string& hierarchy_root = "/sys/fs/cgroup");

}  // namespace skiff::runc
