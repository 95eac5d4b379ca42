// What the shipper keeps on disk and in memory: positions replaced atomically, the disk buffer
// bounded (drops refused, not old lines lost), in order across segments and restarts, and the
// batcher's size and time limits.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "log_batcher.hpp"
#include "log_disk_buffer.hpp"
#include "log_positions.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff::kubelet;
using namespace std::chrono_literals;

TEST(LogPositions, SavedPositionsAreReadBackAndForgottenOnesStayGone) {
  skiff::test::TempDir dir;
  std::string path = dir.file("logs/positions");
  {
    LogPositions positions(path);
    positions.set("c1", {100, 1});
    positions.set("c2", LogPosition{200, 1}.after(200));
    positions.set("c3", {300, 1});
    positions.forget("c3");
    positions.save();
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".new")) << "the new file is renamed over the old one";
  LogPositions again(path);
  EXPECT_EQ(again.get("c1"), (LogPosition{100, 1}));
  EXPECT_EQ(again.get("c2"), (LogPosition{200, 2}));
  EXPECT_FALSE(again.get("c3"));
}

TEST(LogPositions, AnUnreadableLineIsSkipped) {
  skiff::test::TempDir dir;
  std::ofstream(dir.file("positions")) << "c1 100 2\ngarbage\nc2 7 1\n";
  LogPositions positions(dir.file("positions"));
  EXPECT_EQ(positions.get("c1"), (LogPosition{100, 2}));
  EXPECT_EQ(positions.get("c2"), (LogPosition{7, 1}));
  EXPECT_EQ(positions.all().size(), 2u);
}

BufferedRecord record(int n) { return {"skiff.test.logs.ns.uid.c", "uid/c/0/" + std::to_string(n), "line " + std::to_string(n)}; }

TEST(LogDiskBuffer, RecordsComeBackInOrderAcrossSegments) {
  skiff::test::TempDir dir;
  LogDiskBuffer buffer(dir.file("buffer"), 1 << 20, 4096);
  for (int n = 0; n < 500; ++n) ASSERT_TRUE(buffer.append(record(n)));
  EXPECT_EQ(buffer.records(), 500u);
  EXPECT_GT(std::distance(std::filesystem::directory_iterator(dir.file("buffer")), {}), 3) << "several segments";
  auto first = buffer.front(200);
  ASSERT_EQ(first.size(), 200u);
  EXPECT_EQ(first[0].data, "line 0");
  EXPECT_EQ(first[199].message_id, "uid/c/0/199");
  buffer.pop(200);
  auto next = buffer.front(1000);
  ASSERT_EQ(next.size(), 300u);
  EXPECT_EQ(next[0].data, "line 200");
  EXPECT_EQ(next[299].data, "line 499");
  buffer.pop(300);
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.bytes(), 0u);
}

TEST(LogDiskBuffer, AFullBufferRefusesNewRecordsAndKeepsTheOldOnes) {
  skiff::test::TempDir dir;
  LogDiskBuffer buffer(dir.file("buffer"), 10000, 4096);
  int kept = 0, refused = 0;
  for (int n = 0; n < 1000; ++n) (buffer.append(record(n)) ? kept : refused)++;
  EXPECT_GT(refused, 0);
  EXPECT_LE(buffer.bytes(), 10000u);
  EXPECT_EQ(buffer.records(), static_cast<std::uint64_t>(kept));
  EXPECT_EQ(buffer.front(1)[0].data, "line 0") << "the oldest stay";
  buffer.pop(static_cast<std::size_t>(kept));
  EXPECT_TRUE(buffer.append(record(5000))) << "room again once read out";
}

TEST(LogDiskBuffer, WhatWasNotReadOutSurvivesARestartAndACutRecordIsDropped) {
  skiff::test::TempDir dir;
  {
    LogDiskBuffer buffer(dir.file("buffer"), 1 << 20, 4096);
    for (int n = 0; n < 300; ++n) ASSERT_TRUE(buffer.append(record(n)));
    buffer.pop(120);
  }
  // A crash in the middle of an append leaves half a record at the end of the last segment.
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(dir.file("buffer")))
    if (e.path().extension() == ".seg" && e.path().string() > last) last = e.path().string();
  std::ofstream(last, std::ios::app | std::ios::binary) << std::string("\x40\x00\x00\x00half", 8);
  LogDiskBuffer again(dir.file("buffer"), 1 << 20, 4096);
  EXPECT_EQ(again.records(), 180u);
  auto all = again.front(1000);
  ASSERT_EQ(all.size(), 180u);
  EXPECT_EQ(all.front().data, "line 120");
  EXPECT_EQ(all.back().data, "line 299");
  ASSERT_TRUE(again.append(record(300)));
  EXPECT_EQ(again.front(1000).back().data, "line 300");
}

ShipRecord ship(int n) {
  ShipRecord r;
  r.data = std::to_string(n);
  return r;
}

TEST(LogBatcher, AFullBatchGoesAtOnceAndTheRestAfterTheInterval) {
  LogBatcher batcher(500, 300ms);
  for (int n = 0; n < 1200; ++n) batcher.add(ship(n));
  auto start = LogBatcher::Clock::now();
  auto first = batcher.next(start + 5s);
  auto second = batcher.next(start + 5s);
  EXPECT_LT(LogBatcher::Clock::now() - start, 250ms) << "full batches do not wait";
  ASSERT_EQ(first.size(), 500u);
  ASSERT_EQ(second.size(), 500u);
  EXPECT_EQ(first.front().data, "0");
  EXPECT_EQ(second.front().data, "500");
  auto third = batcher.next(start + 5s);
  ASSERT_EQ(third.size(), 200u);
  EXPECT_EQ(third.back().data, "1199");
}

TEST(LogBatcher, NothingComesBackEmptyAndCloseHandsOverTheRest) {
  LogBatcher batcher(500, 10s);
  EXPECT_TRUE(batcher.next(LogBatcher::Clock::now() + 50ms).empty());
  batcher.add(ship(1));
  EXPECT_TRUE(batcher.next(LogBatcher::Clock::now() + 50ms).empty()) << "one line waits for its interval";
  batcher.close();
  EXPECT_EQ(batcher.next(LogBatcher::Clock::now() + 5s).size(), 1u);
  EXPECT_TRUE(batcher.closed());
}

}  // namespace
