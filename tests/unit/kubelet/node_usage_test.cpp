// The node's figures from /proc text: meminfo, the cpu line and btime of /proc/stat, and
// /proc/net/dev (loopback left out).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "node_usage.hpp"
#include "skiff/sdk/net_dev.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff::kubelet;

TEST(KubeletNodeUsage, MeminfoInBytes) {
  auto m = parse_meminfo(
      "MemTotal:        8000000 kB\n"
      "MemFree:         1000000 kB\n"
      "MemAvailable:    5000000 kB\n"
      "Buffers:           10000 kB\n"
      "Active(file):    2000000 kB\n"
      "Inactive(file):  1500000 kB\n");
  EXPECT_EQ(m.total, 8000000ull * 1024);
  EXPECT_EQ(m.free, 1000000ull * 1024);
  EXPECT_EQ(m.available, 5000000ull * 1024);
  EXPECT_EQ(m.inactive_file, 1500000ull * 1024);
}

TEST(KubeletNodeUsage, CpuCountsWorkNotIdleOrIowait) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  std::string stat =
      "cpu  100 20 30 5000 400 5 6 7 0 0\n"
      "cpu0 50 10 15 2500 200 2 3 3 0 0\n"
      "intr 12345\n"
      "btime 1764547200\n";
  EXPECT_EQ(parse_cpu_nanos(stat, 100), (100u + 20 + 30 + 5 + 6 + 7) * 10'000'000ull);
  EXPECT_EQ(parse_cpu_nanos(stat, 250), (100u + 20 + 30 + 5 + 6 + 7) * 4'000'000ull);
  EXPECT_EQ(parse_boot_time(stat), 1764547200);
  EXPECT_EQ(parse_cpu_nanos("intr 1\n", 100), 0u);
}

TEST(KubeletNodeUsage, NetDevWithoutLoopback) {
  auto interfaces = skiff::sdk::parse_net_dev(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
      "    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0\n"
      "  eth0:    1310      13    1    0    0     0          0         0      890       9    2    0    0     0       0          0\n"
      "veth12ab: 77 1 0 0 0 0 0 0 66 1 0 0 0 0 0 0\n");
  ASSERT_EQ(interfaces.size(), 2u);
  EXPECT_EQ(interfaces[0].name(), "eth0");
  EXPECT_EQ(interfaces[0].rx_bytes(), 1310u);
  EXPECT_EQ(interfaces[0].rx_errors(), 1u);
  EXPECT_EQ(interfaces[0].tx_bytes(), 890u);
  EXPECT_EQ(interfaces[0].tx_errors(), 2u);
  EXPECT_EQ(interfaces[1].name(), "veth12ab");
  EXPECT_EQ(interfaces[1].tx_bytes(), 66u);
}

// A fake /proc and a real directory: what read_node_usage puts together.
TEST(KubeletNodeUsage, ReadsAProcTreeAndTheDataDirsFilesystem) {
  skiff::test::TempDir proc;
  std::filesystem::create_directories(proc.path() + "/net");
  auto write = [&](const std::string& name, const std::string& text) { std::ofstream(proc.path() + "/" + name) << text; };
  write("stat", "cpu  10 0 0 100 0 0 0 0 0 0\nbtime 1700000000\n");
  write("meminfo", "MemTotal: 1000 kB\nMemFree: 400 kB\nMemAvailable: 700 kB\nInactive(file): 100 kB\n");
  write("net/dev", "h1\nh2\n  eth0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n");
  auto usage = read_node_usage(proc.path(), proc.path());
  EXPECT_GT(usage.cpu_nanos, 0u);
  EXPECT_EQ(usage.boot_time, 1700000000);
  EXPECT_EQ(usage.memory.total, 1000u * 1024);
  ASSERT_EQ(usage.interfaces.size(), 1u);
  ASSERT_TRUE(usage.fs.has_value());
  EXPECT_GT(usage.fs->capacity, 0u);
  EXPECT_GE(usage.fs->capacity, usage.fs->used);
  EXPECT_FALSE(read_node_usage(proc.path() + "/missing", proc.path()).fs.has_value());
}

}  // namespace
