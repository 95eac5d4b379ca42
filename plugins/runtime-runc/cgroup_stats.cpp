#include "cgroup_stats.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::runc {

namespace {

std::uint64_t read_number(const std::string& path) {
  std::ifstream in(path);
  std::uint64_t value = 0;
  in >> value;
  return value;
}

std::uint64_t stat_field(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value)
    if (key == name) return value;
  return 0;
}

}  // namespace

runtime::v1::StatsResponse cgroup_stats(const std::string& cgroup, const std::string& hierarchy_root) {
  std::string memory = hierarchy_root + "/memory" + cgroup;
  std::string cpu = hierarchy_root + "/cpuacct" + cgroup;
  if (!std::filesystem::exists(memory))
    throw sdk::Error(sdk::Status::NotFound("no cgroup " + memory + ": the container is not running"));
  std::uint64_t usage = read_number(memory + "/memory.usage_in_bytes");
  std::uint64_t inactive = stat_field(memory + "/memory.stat", "total_inactive_file");
  runtime::v1::StatsResponse stats;
  stats.set_cpu_usage_nanos(read_number(cpu + "/cpuacct.usage"));
  stats.set_memory_working_set_bytes(usage > inactive ? usage - inactive : 0);
  stats.set_timestamp(sdk::now_rfc3339());
  return stats;
}

}  // namespace skiff::runc
