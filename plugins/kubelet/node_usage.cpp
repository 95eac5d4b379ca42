// Parses /proc/meminfo and /proc/stat, and measures the data dir's filesystem.
#include "node_usage.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "skiff/sdk/net_dev.hpp"

namespace skiff::kubelet {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

MemInfo parse_meminfo(std::string_view text) {
  MemInfo out;
  std::istringstream in{std::string(text)};
  std::string key;
  std::uint64_t kib = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    if (!(fields >> key >> kib)) continue;
    std::uint64_t bytes = kib * 1024;  // every line the summary needs is in kB
    if (key == "MemTotal:") out.total = bytes;
    else if (key == "MemFree:") out.free = bytes;
    else if (key == "MemAvailable:") out.available = bytes;
    else if (key == "Inactive(file):") out.inactive_file = bytes;
  }
  return out;
}

std::uint64_t parse_cpu_nanos(std::string_view proc_stat, long ticks_per_second) {
  std::istringstream in{std::string(proc_stat)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    if (name != "cpu") continue;
    // user nice system idle iowait irq softirq steal
    std::uint64_t v[8] = {};
    for (auto& value : v) fields >> value;
    std::uint64_t busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    return ticks_per_second > 0 ? busy * (1000000000ull / static_cast<std::uint64_t>(ticks_per_second)) : 0;
  }
  return 0;
}

std::int64_t parse_boot_time(std::string_view proc_stat) {
  std::istringstream in{std::string(proc_stat)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    std::int64_t seconds = 0;
    if (fields >> name >> seconds && name == "btime") return seconds;
  }
  return 0;
}

namespace {

NodeUsage read_cpu_memory(const std::string& proc) {
  NodeUsage out;
  std::string stat = read_text(proc + "/stat");
  out.cpu_nanos = parse_cpu_nanos(stat, ::sysconf(_SC_CLK_TCK));
  out.boot_time = parse_boot_time(stat);
  out.memory = parse_meminfo(read_text(proc + "/meminfo"));
  return out;
}

}  // namespace

NodeCpuMemory read_node_cpu_memory(std::chrono::milliseconds max_age, const std::string& proc) {
  static std::mutex mutex;
  static std::map<std::string, NodeCpuMemory> last;  // by /proc path
  std::lock_guard lock(mutex);
  auto now = std::chrono::steady_clock::now();
  auto it = last.find(proc);
  if (it != last.end() && now - it->second.read_at < max_age) return it->second;
  NodeCpuMemory reading{read_cpu_memory(proc), now};
  last[proc] = reading;
  return reading;
}

NodeUsage read_node_usage(const std::string& fs_dir, const std::string& proc) {
  NodeUsage out = read_cpu_memory(proc);
  // /proc/net is the reading thread's network namespace: the node's, where the kubelet runs.
  out.interfaces = sdk::parse_net_dev(read_text(proc + "/net/dev"));
  struct statvfs fs {};
  if (::statvfs(fs_dir.c_str(), &fs) == 0) {
    std::uint64_t block = fs.f_frsize;
    out.fs = FsUsage{fs.f_blocks * block, fs.f_bavail * block, (fs.f_blocks - fs.f_bfree) * block, fs.f_files, fs.f_ffree};
  }
  return out;
}

}  // namespace skiff::kubelet
