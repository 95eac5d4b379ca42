// A container's figures from cgroup v1 and v2 files (fixtures written here), and
// /proc/<pid>/cgroup's lines mapped to each controller's path.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cgroup_stats.hpp"
#include "skiff/sdk/status.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff::runtime_common;

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST(RuntimeCommonCgroupStats, V1FilesAsCadvisorReadsThem) {
  skiff::test::TempDir root;
  std::string memory = root.path() + "/memory/docker/abc", cpu = root.path() + "/cpuacct/docker/abc";
  write(cpu + "/cpuacct.usage", "1500000000\n");
  write(memory + "/memory.usage_in_bytes", "73400320\n");
  write(memory + "/memory.limit_in_bytes", "134217728\n");
  // Both the cgroup's own lines and the hierarchy's total_ ones: the totals count.
  write(memory + "/memory.stat",
        "cache 100\nrss 200\ninactive_file 300\n"
        "total_cache 20971520\ntotal_rss 50331648\ntotal_inactive_file 10485760\n"
        "total_pgfault 1234\ntotal_pgmajfault 5\n");
  auto stats = read_cgroup_stats(cgroup_dirs("/docker/abc", CgroupVersion::V1, root.path()));
  EXPECT_EQ(stats.cpu_usage_nanos(), 1500000000u);
  EXPECT_EQ(stats.memory_usage_bytes(), 73400320u);
  EXPECT_EQ(stats.memory_working_set_bytes(), 73400320u - 10485760u) << "usage less inactive file pages";
  EXPECT_EQ(stats.memory_rss_bytes(), 50331648u);
  EXPECT_EQ(stats.page_faults(), 1234u);
  EXPECT_EQ(stats.major_page_faults(), 5u);
  EXPECT_EQ(stats.memory_limit_bytes(), 134217728u);
  EXPECT_FALSE(stats.timestamp().empty());
}

TEST(RuntimeCommonCgroupStats, V1WithoutALimitAndMoreInactiveThanUsage) {
  skiff::test::TempDir root;
  std::string memory = root.path() + "/memory/x";
  write(root.path() + "/cpuacct/x/cpuacct.usage", "7\n");
  write(memory + "/memory.usage_in_bytes", "1000\n");
  write(memory + "/memory.limit_in_bytes", "9223372036854771712\n");
  write(memory + "/memory.stat", "total_inactive_file 5000\n");
  auto stats = read_cgroup_stats(cgroup_dirs("/x", CgroupVersion::V1, root.path()));
  EXPECT_EQ(stats.memory_working_set_bytes(), 0u) << "clamped at 0, never wrapped";
  EXPECT_EQ(stats.memory_limit_bytes(), 0u) << "v1's huge value means no limit";
}

TEST(RuntimeCommonCgroupStats, V2Files) {
  skiff::test::TempDir root;
  std::string dir = root.path() + "/kubepods/pod1/c1";
  write(dir + "/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
  write(dir + "/memory.current", "52428800\n");
  write(dir + "/memory.max", "max\n");
  write(dir + "/memory.stat", "anon 41943040\nfile 10485760\ninactive_file 4194304\npgfault 99\npgmajfault 3\n");
  auto stats = read_cgroup_stats(cgroup_dirs("/kubepods/pod1/c1", CgroupVersion::V2, root.path()));
  EXPECT_EQ(stats.cpu_usage_nanos(), 2500000000u);
  EXPECT_EQ(stats.memory_usage_bytes(), 52428800u);
  EXPECT_EQ(stats.memory_working_set_bytes(), 52428800u - 4194304u);
  EXPECT_EQ(stats.memory_rss_bytes(), 41943040u);
  EXPECT_EQ(stats.page_faults(), 99u);
  EXPECT_EQ(stats.major_page_faults(), 3u);
  EXPECT_EQ(stats.memory_limit_bytes(), 0u) << "\"max\": no limit";
}

TEST(RuntimeCommonCgroupStats, AGoneCgroupIsNotFound) {
  skiff::test::TempDir root;
  try {
    read_cgroup_stats(cgroup_dirs("/gone", CgroupVersion::V1, root.path()));
    ADD_FAILURE() << "a missing cgroup was read";
  } catch (const skiff::sdk::Error& e) {
    EXPECT_EQ(e.status().code, 404);
  }
}

TEST(RuntimeCommonCgroupStats, ProcCgroupLinesPerController) {
  auto paths = parse_proc_cgroup(
      "12:memory:/docker/abc\n"
      "4:cpu,cpuacct:/docker/abc-cpu\n"
      "1:name=systemd:/docker/abc\n"
      "0::/unified/path\n");
  EXPECT_EQ(paths.at("memory"), "/docker/abc");
  EXPECT_EQ(paths.at("cpu"), "/docker/abc-cpu");
  EXPECT_EQ(paths.at("cpuacct"), "/docker/abc-cpu");
  EXPECT_EQ(paths.at(""), "/unified/path");
}

TEST(RuntimeCommonCgroupStats, DirsOfAProcessFromItsProcEntry) {
  skiff::test::TempDir proc;
  write(proc.path() + "/42/cgroup", "5:memory:/docker/m\n3:cpuacct:/docker/c\n0::/docker/u\n");
  auto v1 = cgroup_dirs_of_pid(42, CgroupVersion::V1, "/sys/fs/cgroup", proc.path());
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->memory, "/sys/fs/cgroup/memory/docker/m");
  EXPECT_EQ(v1->cpu, "/sys/fs/cgroup/cpuacct/docker/c");
  auto v2 = cgroup_dirs_of_pid(42, CgroupVersion::V2, "/sys/fs/cgroup", proc.path());
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->memory, "/sys/fs/cgroup/docker/u");
  EXPECT_FALSE(cgroup_dirs_of_pid(43, CgroupVersion::V1, "/sys/fs/cgroup", proc.path())) << "no such process";
}

TEST(RuntimeCommonCgroupStats, ThisMachinesVersionIsDetected) {
  // Whatever this machine runs, the answer matches the mount's type.
  bool unified = std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers");
  EXPECT_EQ(cgroup_version() == CgroupVersion::V2, unified);
}

}  // namespace
