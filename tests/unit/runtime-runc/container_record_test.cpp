// A container's state as the plugin derives it from the files the monitor and runc leave: the
// exit record wins, a living process or monitor is running (created before the start mark), and
// both gone without a record is an unknown end — what makes adoption after a restart work.
#include <gtest/gtest.h>
#include <unistd.h>

#include "container_record.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace {

using namespace skiff::runc;
namespace rt = skiff::runtime::v1;

class ContainerState : public ::testing::Test {
 protected:
  rt::ContainerStatus derive() {
    rt::ContainerStatus status;
    status.set_id("c1");
    return derive_container_status(files_, status);
  }
  skiff::test::TempDir dir_;
  ContainerFiles files_{dir_.path()};
};

TEST_F(ContainerState, TheExitRecordGivesCodeTimeAndReason) {
  write_small_file(files_.started_file(), "2026-11-30T12:00:00Z");
  write_small_file(files_.exit_file(), format_exit_record({3, "2026-11-30T12:00:05.123456789Z", false}));
  auto s = derive();
  EXPECT_EQ(s.state(), "EXITED");
  EXPECT_EQ(s.exit_code(), 3);
  EXPECT_EQ(s.reason(), "Error");
  EXPECT_EQ(s.finished_at(), "2026-11-30T12:00:05.123456789Z");
  EXPECT_EQ(s.started_at(), "2026-11-30T12:00:00Z");
  write_small_file(files_.exit_file(), format_exit_record({0, "t", false}));
  EXPECT_EQ(derive().reason(), "Completed");
  write_small_file(files_.exit_file(), format_exit_record({137, "t", true}));
  EXPECT_EQ(derive().reason(), "OOMKilled");
}

TEST_F(ContainerState, ALivingProcessIsCreatedThenRunning) {
  write_small_file(files_.container_pid_file(), std::to_string(::getpid()));
  EXPECT_EQ(derive().state(), "CREATED");
  write_small_file(files_.started_file(), "2026-11-30T12:00:00Z");
  EXPECT_EQ(derive().state(), "RUNNING");
}

TEST_F(ContainerState, ALivingMonitorAloneStillMeansRunning) {
  write_small_file(files_.started_file(), "2026-11-30T12:00:00Z");
  write_small_file(files_.container_pid_file(), "999999999");
  write_small_file(files_.monitor_pid_file(), std::to_string(::getpid()));
  EXPECT_EQ(derive().state(), "RUNNING") << "the monitor writes the exit record right after it reaps";
}

TEST_F(ContainerState, BothGoneWithoutARecordIsAnUnknownEnd) {
  write_small_file(files_.started_file(), "2026-11-30T12:00:00Z");
  write_small_file(files_.container_pid_file(), "999999999");
  auto s = derive();
  EXPECT_EQ(s.state(), "EXITED");
  EXPECT_EQ(s.exit_code(), 255);
  EXPECT_EQ(s.reason(), "Unknown");
  EXPECT_FALSE(s.message().empty());
}

TEST(ExitRecord, RoundTripsAndRefusesGarbage) {
  auto r = parse_exit_record(format_exit_record({143, "2026-11-30T12:00:05Z", false}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 143);
  EXPECT_EQ(r->finished_at, "2026-11-30T12:00:05Z");
  EXPECT_FALSE(r->oom_killed);
  EXPECT_FALSE(parse_exit_record(""));
  EXPECT_FALSE(parse_exit_record("garbage"));
}

}  // namespace
