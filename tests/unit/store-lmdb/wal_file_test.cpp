// The write-ahead log on its own: framing with length and CRC32C, reading back across
// segments, a torn last record cut off, damage in an older segment refused, rollover.
#include "wal_file.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "crc32c.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/testing/temp_dir.hpp"
#include "wal_recovery.hpp"

namespace {

using namespace skiff;
using store::WalFile;

constexpr std::size_t kSegment = 1 << 20;

std::vector<std::string> read_back(const std::string& dir, store::WalReadSummary* summary = nullptr) {
  std::vector<std::string> records;
  auto read = store::read_wal(dir, [&](std::string_view payload) { records.emplace_back(payload); });
  if (summary) *summary = read;
  return records;
}

// Overwrites bytes of a file in place (a torn or damaged write).
void poke(const std::string& path, std::size_t offset, std::string_view bytes) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string only_segment(const std::string& dir) {
  auto segments = store::wal_segments(dir);
  EXPECT_EQ(segments.size(), 1u);
  return segments.empty() ? "" : segments.front().second;
}

TEST(Crc32c, MatchesTheCastagnoliCheckValue) {
  EXPECT_EQ(store::crc32c("123456789"), 0xE3069283u);  // the standard check value
  EXPECT_EQ(store::crc32c(""), 0u);
  std::string long_text(1000, 'q');
  EXPECT_EQ(store::crc32c(long_text.substr(500), store::crc32c(long_text.substr(0, 500))), store::crc32c(long_text));
}

TEST(WalFile, RecordsComeBackInOrderAfterReopening) {
  test::TempDir dir;
  {
    WalFile wal(dir.file("wal"), kSegment);
    wal.append("first", 1);
    wal.append(std::string(5000, 'b'), 2);
    wal.append("third", 3);
    wal.sync();
  }
  store::WalReadSummary summary;
  EXPECT_EQ(read_back(dir.file("wal"), &summary), (std::vector<std::string>{"first", std::string(5000, 'b'), "third"}));
  EXPECT_EQ(summary.records, 3u);
  EXPECT_EQ(summary.torn_bytes, 0u);
  // A new WalFile starts its own segment after the existing one: both are read, oldest first.
  WalFile again(dir.file("wal"), kSegment);
  again.append("fourth", 4);
  EXPECT_EQ(read_back(dir.file("wal")).back(), "fourth");
  EXPECT_EQ(store::wal_segments(dir.file("wal")).size(), 2u);
}

TEST(WalFile, SegmentsArePreallocatedAndFramedWithLengthAndCrc) {
  test::TempDir dir;
  WalFile wal(dir.file("wal"), kSegment);
  wal.append("payload", 1);
  std::string path = only_segment(dir.file("wal"));
  EXPECT_EQ(std::filesystem::file_size(path), kSegment);
  std::ifstream in(path, std::ios::binary);
  std::string head(8 + 8 + 7, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  EXPECT_EQ(head.substr(0, 8), store::kWalMagic);
  std::uint32_t length, crc;
  std::memcpy(&length, head.data() + 8, 4);
  std::memcpy(&crc, head.data() + 12, 4);
  EXPECT_EQ(length, 7u);
  EXPECT_EQ(crc, store::crc32c("payload"));
  EXPECT_EQ(head.substr(16), "payload");
}

TEST(WalFile, ATornLastRecordIsCutOff) {
  test::TempDir dir;
  {
    WalFile wal(dir.file("wal"), kSegment);
    wal.append("kept", 1);
    wal.append(std::string(3000, 'x'), 2);
  }
  std::string path = only_segment(dir.file("wal"));
  // The second record's last bytes never reached the disk: zeros where its tail was.
  poke(path, 8 + (8 + 4) + 8 + 2000, std::string(1000, '\0'));
  store::WalReadSummary summary;
  EXPECT_EQ(read_back(dir.file("wal"), &summary), std::vector<std::string>{"kept"});
  EXPECT_EQ(summary.torn_bytes, 8u + 2000u);
}

TEST(WalFile, ATornRecordWhoseHeaderNeverLandedIsCutOffToo) {
  test::TempDir dir;
  {
    WalFile wal(dir.file("wal"), kSegment);
    wal.append("kept", 1);
    wal.append(std::string(3000, 'x'), 2);
  }
  poke(only_segment(dir.file("wal")), 8 + (8 + 4), std::string(8, '\0'));  // length and CRC still zero
  EXPECT_EQ(read_back(dir.file("wal")), std::vector<std::string>{"kept"});
}

TEST(WalFile, ACrcMismatchInTheLastSegmentEndsTheLogThere) {
  test::TempDir dir;
  {
    WalFile wal(dir.file("wal"), kSegment);
    wal.append("one", 1);
    wal.append("two", 2);
    wal.append("three", 3);
  }
  poke(only_segment(dir.file("wal")), 8 + (8 + 3) + 8, "T");  // "two" -> "Two"
  store::WalReadSummary summary;
  // Nothing after a record that was never synced can have been acknowledged.
  EXPECT_EQ(read_back(dir.file("wal"), &summary), std::vector<std::string>{"one"});
  EXPECT_EQ(summary.torn_bytes, (8u + 3u) + (8u + 5u));
}

TEST(WalFile, ACrcMismatchInAnOlderSegmentRefusesNamingTheSegment) {
  test::TempDir dir;
  { WalFile(dir.file("wal"), kSegment).append("old", 1); }
  { WalFile(dir.file("wal"), kSegment).append("new", 2); }
  std::string older = store::wal_segments(dir.file("wal")).front().second;
  poke(older, 8 + 8, "O");
  try {
    read_back(dir.file("wal"));
    FAIL() << "a damaged older segment was read";
  } catch (const sdk::Error& e) {
    EXPECT_NE(e.status().message.find(older), std::string::npos) << e.status().message;
    EXPECT_NE(e.status().message.find("CRC32C"), std::string::npos) << e.status().message;
    EXPECT_NE(e.status().message.find("restore the data dir"), std::string::npos) << e.status().message;
  }
}

TEST(WalFile, AFileThatIsNotASegmentIsRefused) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.file("wal"));
  std::ofstream(dir.file("wal/0000000000000001.wal")) << "not a log";
  try {
    read_back(dir.file("wal"));
    FAIL() << "a foreign file was read as a segment";
  } catch (const sdk::Error& e) {
    EXPECT_NE(e.status().message.find("is not a store-lmdb log segment"), std::string::npos) << e.status().message;
  }
}

TEST(WalFile, RollsOverToANewSegmentAndRecyclesCheckpointedOnes) {
  test::TempDir dir;
  WalFile wal(dir.file("wal"), kSegment);
  std::string record(300 * 1024, 'r');
  for (int revision = 1; revision <= 7; ++revision) wal.append(record, revision);  // 3 per segment
  wal.sync();
  EXPECT_EQ(store::wal_segments(dir.file("wal")).size(), 3u);
  EXPECT_EQ(read_back(dir.file("wal")).size(), 7u);
  EXPECT_GE(wal.appended_bytes(), 7 * record.size());

  wal.recycle(2);  // the first segment holds revisions 1-3: still needed
  EXPECT_EQ(store::wal_segments(dir.file("wal")).size(), 3u);
  wal.recycle(6);  // 1-3 and 4-6 are checkpointed; the current segment always stays
  EXPECT_EQ(store::wal_segments(dir.file("wal")).size(), 1u);
  EXPECT_EQ(read_back(dir.file("wal")), std::vector<std::string>{record});
}

TEST(WalFile, ARecordLargerThanASegmentGetsASegmentOfItsOwn) {
  test::TempDir dir;
  WalFile wal(dir.file("wal"), kSegment);
  std::string huge(kSegment + 1000, 'h');
  wal.append("small", 1);
  wal.append(huge, 2);
  wal.append("after", 3);
  EXPECT_EQ(read_back(dir.file("wal")), (std::vector<std::string>{"small", huge, "after"}));
}

TEST(WalFile, ADiscardedRecordIsGoneAndTheNextTakesItsPlace) {
  test::TempDir dir;
  WalFile wal(dir.file("wal"), kSegment);
  wal.append("kept", 1);
  wal.append(std::string(500, 'd'), 2);
  wal.discard_last();
  wal.append("next", 2);
  EXPECT_EQ(read_back(dir.file("wal")), (std::vector<std::string>{"kept", "next"}));
}

}  // namespace
