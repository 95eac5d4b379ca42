// The monitor's log writer: CRI records the shared reader parses back into the container's
// lines (partial records for long lines and a cut-off end), and rotation at the size limit.
#include <gtest/gtest.h>

#include <filesystem>

#include "cri_log.hpp"
#include "cri_log_writer.hpp"
#include "skiff/testing/process.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace {

using skiff::runc::CriLogWriter;
namespace common = skiff::runtime_common;

std::vector<common::LogLine> read_back(const std::string& path) {
  std::vector<common::LogLine> lines;
  common::LogLineJoiner joiner;
  std::string text = skiff::test::read_file(path);
  std::size_t start = 0, newline;
  while ((newline = text.find('\n', start)) != std::string::npos) {
    auto record = common::parse_cri_log_record(std::string_view(text).substr(start, newline - start));
    EXPECT_TRUE(record) << text.substr(start, newline - start);
    if (record)
      if (auto line = joiner.add(*record)) lines.push_back(*line);
    start = newline + 1;
  }
  return lines;
}

TEST(CriLogWriter, WritesRecordsTheReaderJoins) {
  skiff::test::TempDir dir;
  {
    CriLogWriter log(dir.file("0.log"), 1 << 20, 2);
    log.write(1, "hello ");
    log.write(2, "oops\n");
    log.write(1, "world\nsecond");
    log.write(1, " line\nno newline at the end");
    log.flush();
  }
  auto lines = read_back(dir.file("0.log"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].fd, 2);
  EXPECT_EQ(lines[0].text, "oops\n");
  EXPECT_EQ(lines[1].text, "hello world\n");
  EXPECT_EQ(lines[2].text, "second line\n");
  EXPECT_EQ(lines[3].text, "no newline at the end\n");
  EXPECT_GT(common::log_time_nanos(lines[0].time), 0) << lines[0].time;
}

TEST(CriLogWriter, SplitsLongLinesIntoPartialRecords) {
  skiff::test::TempDir dir;
  std::string long_line(40000, 'x');
  {
    CriLogWriter log(dir.file("0.log"), 1 << 20, 2);
    log.write(1, long_line + "\n");
  }
  std::string text = skiff::test::read_file(dir.file("0.log"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << "16 KiB, 16 KiB, the rest";
  EXPECT_NE(text.find(" stdout P "), std::string::npos);
  auto lines = read_back(dir.file("0.log"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, long_line + "\n");
}

TEST(CriLogWriter, RotatesAtItsLimitKeepingMaxFiles) {
  skiff::test::TempDir dir;
  {
    CriLogWriter log(dir.file("0.log"), 4096, 3);
    for (int i = 0; i < 200; ++i) log.write(1, "line " + std::to_string(i) + " of some length to fill the file\n");
  }
  EXPECT_TRUE(std::filesystem::exists(dir.file("0.log")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("0.log.1")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("0.log.2")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("0.log.3"))) << "three files at most";
  EXPECT_LT(std::filesystem::file_size(dir.file("0.log.1")), 4096u + 200u);
  auto current = read_back(dir.file("0.log"));
  ASSERT_FALSE(current.empty());
  EXPECT_EQ(current.back().text, "line 199 of some length to fill the file\n");
}

}  // namespace
