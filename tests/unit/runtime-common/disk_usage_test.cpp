// The bounded du of a writable layer: blocks of files and directories, hard links once, and
// a stop at the bound.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "disk_usage.hpp"
#include "temp_dir.hpp"

namespace {

using skiff::runtime_common::disk_usage;

TEST(RuntimeCommonDiskUsage, CountsFilesDirectoriesAndLinksOnce) {
  skiff::test::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/a/b");
  std::ofstream(dir.path() + "/a/b/big") << std::string(1 << 20, 'x');
  std::ofstream(dir.path() + "/small") << "hi";
  ASSERT_EQ(::link((dir.path() + "/a/b/big").c_str(), (dir.path() + "/again").c_str()), 0);
  std::filesystem::create_symlink("a/b/big", dir.path() + "/symlink");
  auto usage = disk_usage(dir.path());
  EXPECT_TRUE(usage.complete);
  EXPECT_EQ(usage.inodes, 6u) << "top, a, b, big (once), small, symlink";
  EXPECT_GE(usage.bytes, 1u << 20);
  EXPECT_LT(usage.bytes, 2u << 20) << "the hard link is not counted twice";
}

TEST(RuntimeCommonDiskUsage, StopsAtTheBoundAndSaysSo) {
  skiff::test::TempDir dir;
  for (int i = 0; i < 20; ++i) std::ofstream(dir.path() + "/f" + std::to_string(i)) << i;
  auto usage = disk_usage(dir.path(), 5);
  EXPECT_FALSE(usage.complete);
  EXPECT_EQ(usage.inodes, 5u);
  auto missing = disk_usage(dir.path() + "/nothing-here");
  EXPECT_EQ(missing.inodes, 0u);
  EXPECT_EQ(missing.bytes, 0u);
}

// A second measure within max_age is the first one's answer; with no max age, a fresh walk.
TEST(RuntimeCommonDiskUsage, TheCacheWalksAtMostOncePerMaxAge) {
  skiff::test::TempDir dir;
  std::ofstream(dir.path() + "/a") << "a";
  skiff::runtime_common::DiskUsageCache cached(std::chrono::hours(1)), fresh(std::chrono::seconds(0));
  EXPECT_EQ(cached.measure(dir.path()).inodes, 2u);
  EXPECT_EQ(fresh.measure(dir.path()).inodes, 2u);
  std::ofstream(dir.path() + "/b") << "b";
  EXPECT_EQ(cached.measure(dir.path()).inodes, 2u) << "within max_age: not walked again";
  EXPECT_EQ(fresh.measure(dir.path()).inodes, 3u);
}

}  // namespace
