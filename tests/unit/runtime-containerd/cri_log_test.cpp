// CRI's log format as containerd writes it: records parsed, parts joined into lines, and the
// lines a logs request shows (tail, since, timestamps).
#include <gtest/gtest.h>

#include "cri_log.hpp"

namespace {

using namespace skiff::runtime_common;

TEST(CriLog, ParsesAWholeStdoutRecord) {
  auto r = parse_cri_log_record("2026-11-30T12:55:24.340722757Z stdout F hello there");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->time, "2026-11-30T12:55:24.340722757Z");
  EXPECT_EQ(r->fd, 1);
  EXPECT_FALSE(r->partial);
  EXPECT_EQ(r->text, "hello there");
}

TEST(CriLog, ParsesPartsStderrAndEmptyLines) {
  auto part = parse_cri_log_record("2026-11-30T12:55:24Z stderr P abc");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->fd, 2);
  EXPECT_TRUE(part->partial);
  EXPECT_EQ(part->text, "abc");
  auto empty = parse_cri_log_record("2026-11-30T12:55:24Z stdout F ");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->text, "");
  auto bare = parse_cri_log_record("2026-11-30T12:55:24Z stdout F");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->text, "");
  // Spaces inside the text are the container's.
  EXPECT_EQ(parse_cri_log_record("t stdout F  two  spaces ")->text, " two  spaces ");
}

TEST(CriLog, RefusesWhatIsNoRecord) {
  EXPECT_FALSE(parse_cri_log_record(""));
  EXPECT_FALSE(parse_cri_log_record("garbage"));
  EXPECT_FALSE(parse_cri_log_record("2026-11-30T12:55:24Z stdin F x"));
  EXPECT_FALSE(parse_cri_log_record(" stdout F x"));
}

TEST(CriLog, JoinsPartsPerStreamIntoLines) {
  LogLineJoiner joiner;
  EXPECT_FALSE(joiner.add(*parse_cri_log_record("t1 stdout P hel")));
  auto err = joiner.add(*parse_cri_log_record("t2 stderr F oops"));  // stderr in between
  ASSERT_TRUE(err);
  EXPECT_EQ(err->text, "oops\n");
  EXPECT_EQ(err->fd, 2);
  auto out = joiner.add(*parse_cri_log_record("t3 stdout F lo"));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->text, "hello\n");
  EXPECT_EQ(out->time, "t1") << "a line's time is its first part's";
  EXPECT_EQ(out->fd, 1);
}

TEST(CriLog, RendersWithAndWithoutTimestamps) {
  LogLine line{"2026-11-30T12:55:24.5Z", 1, "hi\n"};
  EXPECT_EQ(render_log_line(line, false), "hi\n");
  EXPECT_EQ(render_log_line(line, true), "2026-11-30T12:55:24.500000000Z hi\n") << "nine digits, as the kubelet prints them";
}

std::vector<LogLine> lines() {
  return {{"2026-11-30T12:00:00Z", 1, "a\n"}, {"2026-11-30T12:00:10Z", 1, "b\n"}, {"2026-11-30T12:00:20Z", 2, "c\n"}};
}

TEST(CriLog, TailKeepsTheLastLines) {
  EXPECT_EQ(select_log_lines(lines(), -1, 0).size(), 3u);
  auto last = select_log_lines(lines(), 2, 0);
  ASSERT_EQ(last.size(), 2u);
  EXPECT_EQ(last[0].text, "b\n");
  EXPECT_EQ(select_log_lines(lines(), 0, 0).size(), 0u);
  EXPECT_EQ(select_log_lines(lines(), 10, 0).size(), 3u);
}

TEST(CriLog, SinceDropsOlderLinesBeforeTheTail) {
  std::int64_t since = log_time_nanos("2026-11-30T12:00:05Z");
  auto newer = select_log_lines(lines(), -1, since);
  ASSERT_EQ(newer.size(), 2u);
  EXPECT_EQ(newer[0].text, "b\n");
  EXPECT_EQ(select_log_lines(lines(), 1, since)[0].text, "c\n");
}

TEST(CriLog, TimesAreNanosecondsSinceTheEpoch) {
  EXPECT_EQ(log_time_nanos("1970-01-01T00:00:01.5Z"), 1500000000);
  EXPECT_EQ(log_time_nanos("not a time"), 0);
}

}  // namespace
