// A pod directory with mounts inside (one with a space in its name, as mountinfo escapes it):
// found deepest first, unmounted, the directory removed, and the mounted data left alone.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>

#include "pod_mounts.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace {

using namespace skiff;
namespace fs = std::filesystem;

class PodMounts : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& point : kubelet::mounts_under(pods_.path())) ::umount2(point.c_str(), MNT_DETACH);
  }
  void bind(const std::string& source, const std::string& target) {
    fs::create_directories(target);
    ASSERT_EQ(::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr), 0) << std::strerror(errno);
  }
  test::TempDir pods_;
  test::TempDir volume_;
};

TEST_F(PodMounts, FindsTheMountsUnderADirectoryDeepestFirst) {
  std::string pod = pods_.file("uid-1");
  bind(volume_.path(), pod + "/volumes/my data");
  bind(volume_.path(), pod + "/volumes/my data/inner");
  bind(volume_.path(), pods_.file("uid-10") + "/volumes/other");  // a sibling whose name starts alike
  auto found = kubelet::mounts_under(pod);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], pod + "/volumes/my data/inner");
  EXPECT_EQ(found[1], pod + "/volumes/my data");
}

TEST_F(PodMounts, RemovingAPodDirectoryUnmountsFirstAndKeepsTheMountedData) {
  std::ofstream(volume_.file("precious")) << "data\n";
  std::string pod = pods_.file("uid-2");
  bind(volume_.path(), pod + "/volumes/data");
  std::ofstream(pod + "/resolv.conf") << "nameserver 192.0.2.53\n";
  kubelet::remove_pod_dir(pod);
  EXPECT_FALSE(fs::exists(pod));
  EXPECT_TRUE(kubelet::mounts_under(pod).empty());
  EXPECT_TRUE(fs::exists(volume_.file("precious"))) << "removed through the mount";
}

}  // namespace
