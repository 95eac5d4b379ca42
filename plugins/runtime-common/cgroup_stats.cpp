// Reads cgroup v1 (cpuacct.usage, memory.usage_in_bytes, memory.stat's total_* lines,
// memory.limit_in_bytes) and v2 (cpu.stat, memory.current, memory.stat, memory.max) files.
#include "cgroup_stats.hpp"

#include <sys/vfs.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::runtime_common {

namespace {

constexpr long kCgroup2Magic = 0x63677270;
// v1 writes "no limit" as the largest page-aligned int64; anything this large is none.
constexpr std::uint64_t kNoLimitAbove = std::uint64_t{1} << 62;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::uint64_t read_number(const std::string& path) {
  std::ifstream in(path);
  std::uint64_t value = 0;
  in >> value;  // "max" (v2's no limit) leaves 0
  return value;
}

// "key value" lines (memory.stat, cpu.stat) as a map.
std::map<std::string, std::uint64_t> read_keyed(const std::string& path) {
  std::map<std::string, std::uint64_t> out;
  std::ifstream in(path);
  std::string key;
  std::uint64_t value = 0;
  while (in >> key >> value) out[key] = value;
  return out;
}

std::uint64_t at(const std::map<std::string, std::uint64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

void fill_v1(const CgroupDirs& dirs, runtime::v1::StatsResponse& out) {
  auto stat = read_keyed(dirs.memory + "/memory.stat");
  std::uint64_t usage = read_number(dirs.memory + "/memory.usage_in_bytes");
  std::uint64_t inactive = at(stat, "total_inactive_file");
  std::uint64_t limit = read_number(dirs.memory + "/memory.limit_in_bytes");
  out.set_cpu_usage_nanos(read_number(dirs.cpu + "/cpuacct.usage"));
  out.set_memory_usage_bytes(usage);
  out.set_memory_working_set_bytes(usage > inactive ? usage - inactive : 0);
  out.set_memory_rss_bytes(at(stat, "total_rss"));
  out.set_page_faults(at(stat, "total_pgfault"));
  out.set_major_page_faults(at(stat, "total_pgmajfault"));
  out.set_memory_limit_bytes(limit >= kNoLimitAbove ? 0 : limit);
}

void fill_v2(const CgroupDirs& dirs, runtime::v1::StatsResponse& out) {
  auto stat = read_keyed(dirs.memory + "/memory.stat");
  auto cpu = read_keyed(dirs.cpu + "/cpu.stat");
  std::uint64_t usage = read_number(dirs.memory + "/memory.current");
  std::uint64_t inactive = at(stat, "inactive_file");
  out.set_cpu_usage_nanos(at(cpu, "usage_usec") * 1000);
  out.set_memory_usage_bytes(usage);
  out.set_memory_working_set_bytes(usage > inactive ? usage - inactive : 0);
  out.set_memory_rss_bytes(at(stat, "anon"));
  out.set_page_faults(at(stat, "pgfault"));
  out.set_major_page_faults(at(stat, "pgmajfault"));
  out.set_memory_limit_bytes(read_number(dirs.memory + "/memory.max"));
}

}  // namespace

CgroupVersion cgroup_version(const std::string& root) {
  struct statfs fs {};
  if (::statfs(root.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kCgroup2Magic) return CgroupVersion::V2;
  return CgroupVersion::V1;
}

CgroupDirs cgroup_dirs(const std::string& path, CgroupVersion version, const std::string& root) {
  if (version == CgroupVersion::V2) return {version, root + path, root + path};
  return {version, root + "/memory" + path, root + "/cpuacct" + path};
}

std::map<std::string, std::string> parse_proc_cgroup(std::string_view text) {
  std::map<std::string, std::string> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    auto first = line.find(':');
    auto second = first == std::string::npos ? std::string::npos : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (controllers.empty()) out[""] = path;
    std::istringstream names(controllers);
    for (std::string name; std::getline(names, name, ',');) out[name] = path;
  }
  return out;
}

std::optional<CgroupDirs> cgroup_dirs_of_pid(int pid, CgroupVersion version, const std::string& root,
                                             const std::string& proc) {
  if (pid <= 0) return std::nullopt;
  std::string text = read_text(proc + "/" + std::to_string(pid) + "/cgroup");
  if (text.empty()) return std::nullopt;
  auto paths = parse_proc_cgroup(text);
  if (version == CgroupVersion::V2) {
    if (!paths.count("")) return std::nullopt;
    return cgroup_dirs(paths.at(""), version, root);
  }
  if (!paths.count("memory") || !paths.count("cpuacct")) return std::nullopt;
  return CgroupDirs{version, root + "/memory" + paths.at("memory"), root + "/cpuacct" + paths.at("cpuacct")};
}

runtime::v1::StatsResponse read_cgroup_stats(const CgroupDirs& dirs) {
  if (!std::filesystem::exists(dirs.memory))
    throw sdk::Error(sdk::Status::NotFound("no cgroup " + dirs.memory + ": the container is not running"));
  runtime::v1::StatsResponse out;
  if (dirs.version == CgroupVersion::V2) fill_v2(dirs, out);
  else fill_v1(dirs, out);
  out.set_timestamp(sdk::format_rfc3339_micro(sdk::WallClock::now()));
  return out;
}

}  // namespace skiff::runtime_common
