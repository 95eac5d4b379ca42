// A container's CRI log file read for a logs request: tail and timestamps, following what is
// appended until the container exits, across a rotation and a truncation, and stopping.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "log_file_reader.hpp"
#include "temp_dir.hpp"
#include "skiff/testing/wait.hpp"

namespace {

using namespace skiff::runtime_common;
using skiff::test::TempDir;

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
}

// What the reader wrote, per fd, safe to look at from the test's thread while it follows.
struct Collected {
  std::mutex mutex;
  std::string out, err;
  void write(int fd, std::string_view data) {
    std::lock_guard lock(mutex);
    (fd == 2 ? err : out) += data;
  }
  std::string stdout_text() {
    std::lock_guard lock(mutex);
    return out;
  }
};

TEST(LogFileReader, ReadsTheFileWithTailAndTimestamps) {
  TempDir dir;
  std::string path = dir.file("0.log");
  append(path, "2026-11-30T12:00:00Z stdout F one\n2026-11-30T12:00:01Z stderr F two\n"
               "2026-11-30T12:00:02Z stdout P thr\n2026-11-30T12:00:03Z stdout F ee\n");
  Collected all;
  read_cri_log(path, {}, {[&](int fd, std::string_view d) { all.write(fd, d); }, [] { return true; }, [] { return false; }});
  EXPECT_EQ(all.out, "one\nthree\n");
  EXPECT_EQ(all.err, "two\n");

  Collected last;
  LogReadOptions options;
  options.tail = 1;
  options.timestamps = true;
  read_cri_log(path, options, {[&](int fd, std::string_view d) { last.write(fd, d); }, [] { return true; }, [] { return false; }});
  EXPECT_EQ(last.out, "2026-11-30T12:00:02.000000000Z three\n");
  EXPECT_EQ(last.err, "");
}

TEST(LogFileReader, AMissingFileIsNoOutput) {
  TempDir dir;
  Collected c;
  read_cri_log(dir.file("none.log"), {}, {[&](int fd, std::string_view d) { c.write(fd, d); }, [] { return true; }, [] { return false; }});
  EXPECT_EQ(c.out, "");
}

TEST(LogFileReader, FollowsAppendsRotationAndTruncationUntilTheContainerExits) {
  TempDir dir;
  std::string path = dir.file("0.log");
  append(path, "t stdout F first\n");
  Collected c;
  std::atomic<bool> exited{false}, done{false};
  LogReadOptions options;
  options.follow = true;
  std::thread reader([&] {
    read_cri_log(path, options,
                 {[&](int fd, std::string_view d) { c.write(fd, d); }, [&] { return exited.load(); }, [] { return false; }});
    done = true;
  });
  ASSERT_TRUE(skiff::test::wait_until([&] { return c.stdout_text() == "first\n"; })) << c.stdout_text();
  append(path, "t stdout P sec");
  append(path, "ond-half");  // no newline yet: not a record
  append(path, "\nt stdout F !\n");
  ASSERT_TRUE(skiff::test::wait_until([&] { return c.stdout_text() == "first\nsecond-half!\n"; })) << c.stdout_text();
  // Rotated as the kubelet does it: renamed, then a new file at the path.
  append(path, "t stdout F before rotation\n");
  std::filesystem::rename(path, path + ".1");
  append(path, "t stdout F after rotation\n");
  ASSERT_TRUE(skiff::test::wait_until([&] {
    return c.stdout_text() == "first\nsecond-half!\nbefore rotation\nafter rotation\n";
  })) << c.stdout_text();
  // Truncated in place (copytruncate): read again from its start.
  std::filesystem::resize_file(path, 0);
  append(path, "t stdout F x\n");
  ASSERT_TRUE(skiff::test::wait_until([&] { return c.stdout_text().ends_with("after rotation\nx\n"); })) << c.stdout_text();
  EXPECT_FALSE(done);
  append(path, "t stdout F last words\n");
  exited = true;
  reader.join();
  EXPECT_TRUE(c.stdout_text().ends_with("x\nlast words\n")) << c.stdout_text();
}

TEST(LogFileReader, AStoppedFollowerReturns) {
  TempDir dir;
  std::string path = dir.file("0.log");
  append(path, "t stdout F only\n");
  std::atomic<bool> stopped{false};
  Collected c;
  LogReadOptions options;
  options.follow = true;
  std::thread reader([&] {
    read_cri_log(path, options, {[&](int fd, std::string_view d) { c.write(fd, d); }, [] { return false; }, [&] { return stopped.load(); }});
  });
  ASSERT_TRUE(skiff::test::wait_until([&] { return c.stdout_text() == "only\n"; }));
  stopped = true;
  reader.join();  // hangs (and the test times out) when a stop is not seen
}

}  // namespace
