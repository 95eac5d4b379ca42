// The shipper's line splitter and stamped-line reader: a 1 MiB line in 64 KiB parts, binary
// garbage kept byte for byte, UTF-8 characters never cut, stamps parsed per fd across chunks.
#include <gtest/gtest.h>

#include <random>

#include "log_line_splitter.hpp"
#include "skiff/sdk/time.hpp"
#include "stamped_line_reader.hpp"

namespace {

using namespace skiff::kubelet;

std::string joined(const std::vector<std::string_view>& parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

TEST(LogLineSplitter, AMebibyteLineComesInPartsOfTheLimit) {
  std::string line(1 << 20, 'x');
  auto parts = split_line(line, 64 * 1024);
  ASSERT_EQ(parts.size(), 16u);
  for (auto p : parts) EXPECT_EQ(p.size(), 64u * 1024);
  EXPECT_EQ(joined(parts), line);
}

TEST(LogLineSplitter, ShortAndEmptyLinesAreOnePart) {
  EXPECT_EQ(split_line("hello", 64), (std::vector<std::string_view>{"hello"}));
  EXPECT_EQ(split_line("", 64), (std::vector<std::string_view>{""}));
}

TEST(LogLineSplitter, BinaryGarbageIsKeptByteForByte) {
  std::mt19937 random(21);
  std::string garbage(300000, '\0');
  for (auto& c : garbage) c = static_cast<char>(random() & 0xFF);
  auto parts = split_line(garbage, 4096);
  for (auto p : parts) {
    EXPECT_LE(p.size(), 4096u);
    EXPECT_FALSE(p.empty());
  }
  EXPECT_EQ(joined(parts), garbage);
}

TEST(LogLineSplitter, AUtf8CharacterIsNotCut) {
  std::string line = "ab" + std::string("\xE2\x82\xAC") + "cd";  // "ab€cd": the cut at 4 would fall inside €
  auto parts = split_line(line, 4);
  ASSERT_GE(parts.size(), 2u);
  EXPECT_EQ(parts[0], "ab");
  EXPECT_EQ(parts[1], "\xE2\x82\xAC" "c");
  EXPECT_EQ(joined(parts), line);
}

std::int64_t nanos(const char* stamp) { return skiff::sdk::parse_rfc3339_nano(stamp).value(); }

TEST(StampedLineReader, LinesAreCutPerFdAcrossChunksWithTheirStamps) {
  StampedLineReader reader;
  EXPECT_TRUE(reader.add(1, "2026-12-01T10:00:00.000000001Z hel").empty());
  auto err = reader.add(2, "2026-12-01T10:00:00.000000002Z oops\n");
  ASSERT_EQ(err.size(), 1u);
  EXPECT_EQ(err[0].fd, 2);
  EXPECT_EQ(err[0].text, "oops");
  EXPECT_EQ(err[0].time_unix_nano, nanos("2026-12-01T10:00:00.000000002Z"));
  auto out = reader.add(1, "lo\n2026-12-01T10:00:01.5Z world\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].text, "hello");
  EXPECT_EQ(out[0].time_unix_nano, nanos("2026-12-01T10:00:00.000000001Z"));
  EXPECT_EQ(out[1].text, "world");
  EXPECT_EQ(out[1].time_unix_nano, nanos("2026-12-01T10:00:01.500000000Z"));
}

TEST(StampedLineReader, ALineWithoutAStampKeepsItsBytesAndThePreviousTime) {
  StampedLineReader reader;
  auto out = reader.add(1, "2026-12-01T10:00:00Z first\nno-stamp here\n");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].text, "no-stamp here");
  EXPECT_EQ(out[1].time_unix_nano, out[0].time_unix_nano);
}

TEST(StampedLineReader, ARunawayLineIsHandedOnInBoundedPieces) {
  StampedLineReader reader(1000);
  auto out = reader.add(1, "2026-12-01T10:00:00Z " + std::string(2500, 'y'));
  ASSERT_EQ(out.size(), 1u) << "memory stays bounded: what is there goes out";
  EXPECT_EQ(out[0].text, std::string(2500, 'y'));
  out = reader.add(1, std::string(10, 'z') + "\n");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, std::string(10, 'z')) << "the rest is not taken for a stamp";
  EXPECT_EQ(out[0].time_unix_nano, nanos("2026-12-01T10:00:00Z"));
  EXPECT_TRUE(reader.flush().empty());
}

TEST(StampedLineReader, TheEndFlushesALastLineWithoutNewline) {
  StampedLineReader reader;
  EXPECT_TRUE(reader.add(1, "2026-12-01T10:00:00Z tail").empty());
  auto out = reader.flush();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, "tail");
}

TEST(Rfc3339Nano, FormatsNineDigitsAndParsesThemBack) {
  EXPECT_EQ(skiff::sdk::format_rfc3339_nano(1764583336123456789), "2025-12-01T10:02:16.123456789Z");
  EXPECT_EQ(skiff::sdk::format_rfc3339_nano(1764583336000000000), "2025-12-01T10:02:16.000000000Z");
  EXPECT_EQ(skiff::sdk::parse_rfc3339_nano("2025-12-01T10:02:16.123456789Z"), 1764583336123456789);
  EXPECT_EQ(skiff::sdk::parse_rfc3339_nano("2025-12-01T10:02:16.1234567891Z"), 1764583336123456789) << "cut at nine";
  EXPECT_EQ(skiff::sdk::parse_rfc3339_nano("2025-12-01T11:02:16.5+01:00"), 1764583336500000000);
  EXPECT_EQ(skiff::sdk::parse_rfc3339_nano("2025-12-01T10:02:16Z"), 1764583336000000000);
  EXPECT_FALSE(skiff::sdk::parse_rfc3339_nano("yesterday"));
}

}  // namespace
