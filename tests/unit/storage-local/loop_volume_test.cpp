// Local volumes as the provisioner makes them: the sizing rule (the request rounded up to the
// next MiB, less than a MiB more usable), and real loop-mounted ext4 images — writing past the
// size fails with "No space left on device", and removal leaves nothing behind.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "loop_volume.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace {

using namespace skiff;
using namespace skiff::storage_local;

TEST(LoopVolumeSizing, RequestsRoundUpToTheNextMiB) {
  EXPECT_EQ(usable_target(1), kMiB);
  EXPECT_EQ(usable_target(kMiB), kMiB);
  EXPECT_EQ(usable_target(kMiB + 1), 2 * kMiB);
  EXPECT_EQ(usable_target(1000 * 1000 * 1000), 954 * kMiB);
}

TEST(LoopVolumeSizing, TheImageMovesByWhatTheFilesystemGaveAndStopsInsideTheWindow) {
  std::int64_t target = 100 * kMiB;
  EXPECT_EQ(next_image_size(120 * kMiB, target, target), 120 * kMiB) << "exactly the target: done";
  EXPECT_EQ(next_image_size(120 * kMiB, target + kMiB - 1, target), 120 * kMiB) << "under a MiB more: done";
  EXPECT_LT(next_image_size(120 * kMiB, target + 5 * kMiB, target), 120 * kMiB) << "too roomy: shrink";
  EXPECT_GT(next_image_size(120 * kMiB, target - 1, target), 120 * kMiB) << "short by a byte: grow";
  EXPECT_EQ(next_image_size(120 * kMiB, target - 2 * kMiB, target) % 4096, 0) << "whole 4 KiB blocks";
}

// Writes 1 MiB chunks until the filesystem refuses; returns the bytes written and the error.
std::pair<std::int64_t, int> fill(const std::string& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char> chunk(kMiB, 'x');
  std::int64_t written = 0;
  int error = 0;
  while (true) {
    ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n < 0) {
      error = errno;
      break;
    }
    written += n;
    if (n < static_cast<ssize_t>(chunk.size())) continue;  // a short write: the next one says why
  }
  if (::fsync(fd) != 0 && !error) error = errno;
  ::close(fd);
  return {written, error};
}

class LoopVolumeOnThisMachine : public ::testing::Test {
 protected:
  void TearDown() override {
    // Whatever a failed assertion left mounted goes too.
    if (host_.is_mounted(paths_.mount)) host_.unmount(paths_.mount);
  }
  test::TempDir dir_;
  HostCommands host_{"runtime"};
  LoopVolumePaths paths_ = LoopVolumePaths::of(dir_.path(), "pvc-test");
};

TEST_F(LoopVolumeOnThisMachine, TheUsableSpaceIsTheRequestAndWritingPastItFails) {
  std::int64_t request = 20 * 1000 * 1000;  // 20M: 19.07 MiB, rounded up to 20 MiB
  std::int64_t usable = create_loop_volume(host_, paths_, request);
  EXPECT_GE(usable, usable_target(request));
  EXPECT_LT(usable, usable_target(request) + kMiB);
  ASSERT_TRUE(host_.is_mounted(paths_.mount));
  auto [written, error] = fill(paths_.mount + "/big");
  EXPECT_EQ(error, ENOSPC) << std::strerror(error);
  EXPECT_EQ(std::string(std::strerror(error)), "No space left on device");
  EXPECT_GE(written, request) << "the whole request is writable";
  EXPECT_LT(written, usable_target(request) + kMiB);
  EXPECT_EQ(create_loop_volume(host_, paths_, request), host_.available_bytes(paths_.mount)) << "again: left as it is";
}

TEST_F(LoopVolumeOnThisMachine, ARemovedVolumeLeavesNothingAndARemountKeepsTheData) {
  create_loop_volume(host_, paths_, 8 * kMiB);
  { std::ofstream(paths_.mount + "/kept") << "data"; }
  host_.unmount(paths_.mount);  // as a reboot would
  EXPECT_FALSE(std::filesystem::exists(paths_.mount + "/kept"));
  ASSERT_TRUE(remount_loop_volume(host_, paths_));
  EXPECT_TRUE(std::filesystem::exists(paths_.mount + "/kept"));
  remove_loop_volume(host_, paths_);
  EXPECT_FALSE(host_.is_mounted(paths_.mount));
  EXPECT_FALSE(std::filesystem::exists(paths_.image));
  EXPECT_FALSE(std::filesystem::exists(paths_.mount));
  EXPECT_FALSE(remount_loop_volume(host_, paths_)) << "no image, nothing to mount";
}

}  // namespace
