// A long line stored in parts comes back whole when all its parts are in the answer, in either
// order of the answer; a part without its siblings stays a part.
#include <gtest/gtest.h>

#include "line_parts.hpp"

namespace {

using namespace skiff;
namespace v1 = logging::v1;

v1::LogEntry entry(const std::string& text, std::int64_t time, int part = 0, int count = 0, std::uint64_t seq = 0) {
  v1::LogEntry e;
  e.set_sequence(seq);
  auto* l = e.mutable_line();
  l->set_pod_uid("u");
  l->set_container("main");
  l->set_time_unix_nano(time);
  l->set_line(text);
  l->set_part(part);
  l->set_part_count(count);
  return e;
}

std::vector<std::string> texts(const std::vector<v1::LogEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    out.push_back(e.line().line() + (e.line().part_count() > 1 ? "#" + std::to_string(e.line().part()) : ""));
  return out;
}

TEST(JoinParts, AllPartsOfALineBecomeOneLineWhereTheyStood) {
  std::vector<v1::LogEntry> entries{entry("before", 1), entry("aa", 2, 0, 3, 10), entry("bb", 2, 1, 3, 11),
                                    entry("c\n", 2, 2, 3, 12), entry("after", 3)};
  logging::join_parts(entries);
  EXPECT_EQ(texts(entries), (std::vector<std::string>{"before", "aabbc\n", "after"}));
  EXPECT_EQ(entries[1].sequence(), 10u) << "the line's sequence is its first part's";
  EXPECT_EQ(entries[1].line().part_count(), 0);
}

TEST(JoinParts, NewestFirstThePartsComeReversedAndStillJoinInOrder) {
  std::vector<v1::LogEntry> entries{entry("after", 3), entry("c", 2, 2, 3), entry("b", 2, 1, 3), entry("a", 2, 0, 3)};
  logging::join_parts(entries);
  EXPECT_EQ(texts(entries), (std::vector<std::string>{"after", "abc"}));
}

TEST(JoinParts, APartWithoutItsSiblingsStaysAPart) {
  std::vector<v1::LogEntry> entries{entry("a", 2, 0, 3), entry("c", 2, 2, 3), entry("x", 5, 1, 2)};
  logging::join_parts(entries);
  EXPECT_EQ(texts(entries), (std::vector<std::string>{"a#0", "c#2", "x#1"}));
}

TEST(JoinParts, PartsOfTwoContainersAtTheSameTimeAreNotMixed) {
  auto other = entry("B", 2, 1, 2);
  other.mutable_line()->set_container("side");
  std::vector<v1::LogEntry> entries{entry("a", 2, 0, 2), other, entry("b", 2, 1, 2)};
  logging::join_parts(entries);
  EXPECT_EQ(texts(entries), (std::vector<std::string>{"a#0", "B#1", "b#1"}));
}

}  // namespace
