// The scanner on an in-memory stream: order by line time across pods, limits and truncation,
// newest first across many windows, time ranges turned into stream positions, bounded reads.
#include <gtest/gtest.h>

#include "log_scanner.hpp"
#include "memory_jetstream.hpp"

namespace {

using namespace skiff;
namespace v1 = logging::v1;

constexpr std::int64_t kSecond = 1'000'000'000;

class LogScanner : public ::testing::Test {
 protected:
  sdk::Subjects subjects{"c", "n"};
  test::MemoryJetStream js;

  // A line of pod `pod` written at `time` seconds, stored `delay` seconds later.
  void write(const std::string& ns, const std::string& pod, const std::string& text, std::int64_t time,
             std::int64_t delay = 0, const std::string& app = "") {
    v1::LogLine l;
    l.set_namespace_(ns);
    l.set_pod(pod);
    l.set_pod_uid("uid-" + pod);
    l.set_container("main");
    l.set_line(text);
    l.set_time_unix_nano(time * kSecond);
    if (!app.empty()) (*l.mutable_pod_labels())["app"] = app;
    js.add(subjects.log_lines(ns, pod, l.pod_uid(), "main"), l.SerializeAsString(), (time + delay) * kSecond);
  }

  logging::ScanResult scan(const v1::LogQuery& query, std::size_t limit = 100, bool newest_first = false) {
    auto filter = logging::LogFilter::compile(query);
    logging::ScanOptions options;
    options.stream = "LOGS";
    options.subject_filter = filter.subject_filter(subjects);
    options.limit = limit;
    options.newest_first = newest_first;
    return logging::scan_logs(js, options, filter);
  }

  static std::vector<std::string> lines(const logging::ScanResult& r) {
    std::vector<std::string> out;
    for (const auto& e : r.entries) out.push_back(e.line().line());
    return out;
  }
};

TEST_F(LogScanner, LinesOfSeveralPodsInterleaveByTheirTimeNotTheirArrival) {
  // Two shippers' batches: b's lines arrive after a's, though written in between.
  write("d", "a", "a1", 10, 0, "web");
  write("d", "a", "a3", 30, 0, "web");
  write("d", "b", "b2", 20, 15, "web");
  write("d", "b", "b4", 40, 0, "web");
  write("d", "c", "c0", 5, 0, "db");
  v1::LogQuery q;
  q.set_label_selector("app=web");
  EXPECT_EQ(lines(scan(q)), (std::vector<std::string>{"a1", "b2", "a3", "b4"}));
  EXPECT_EQ(lines(scan(q, 100, true)), (std::vector<std::string>{"b4", "a3", "b2", "a1"}));
}

TEST_F(LogScanner, TheLimitCutsOldestFirstAndSaysTruncated) {
  for (int i = 0; i < 10; ++i) write("d", "p", "line " + std::to_string(i), i);
  auto r = scan({}, 3);
  EXPECT_EQ(lines(r), (std::vector<std::string>{"line 0", "line 1", "line 2"}));
  EXPECT_TRUE(r.truncated);
  auto all = scan({}, 10);
  EXPECT_EQ(all.entries.size(), 10u);
  EXPECT_FALSE(all.truncated) << "exactly the limit matched: nothing was left out";
  EXPECT_EQ(all.last_sequence, 10u);
}

TEST_F(LogScanner, NewestFirstKeepsTheNewestAcrossManyWindows) {
  // The pod's lines are far apart: most windows back from the end hold none of them.
  for (int i = 0; i < 30000; ++i) write("d", i % 5000 == 0 ? "rare" : "busy", std::to_string(i), i);
  v1::LogQuery q;
  q.set_pod("rare");
  auto r = scan(q, 4, true);
  EXPECT_EQ(lines(r), (std::vector<std::string>{"25000", "20000", "15000", "10000"}));
  EXPECT_TRUE(r.truncated);
  auto all = scan(q, 10, true);
  EXPECT_EQ(lines(all), (std::vector<std::string>{"25000", "20000", "15000", "10000", "5000", "0"}));
  EXPECT_FALSE(all.truncated);
}

TEST_F(LogScanner, ANewestFirstScanWithASmallLimitReadsOnlyTheEnd) {
  for (int i = 0; i < 50000; ++i) write("d", "p", std::to_string(i), i);
  int before = js.reads;
  auto r = scan({}, 10, true);
  EXPECT_EQ(lines(r).front(), "49999");
  EXPECT_TRUE(r.truncated);
  EXPECT_LE(js.reads - before, 8) << "one window at the end, not the whole stream";
}

TEST_F(LogScanner, AnOldestFirstScanStopsAtTheLimit) {
  for (int i = 0; i < 50000; ++i) write("d", "p", std::to_string(i), i);
  int before = js.reads;
  scan({}, 10);
  EXPECT_LE(js.reads - before, 3);
}

TEST_F(LogScanner, SinceStartsReadingAtItsTimeLessTheSlack) {
  for (int i = 0; i < 5000; ++i) write("d", "p", std::to_string(i), i * 60);  // a line a minute
  v1::LogQuery q;
  q.set_since_unix_nano(4000 * 60 * kSecond);
  q.set_until_unix_nano(4003 * 60 * kSecond);
  int before = js.reads;
  auto r = scan(q);
  EXPECT_EQ(lines(r), (std::vector<std::string>{"4000", "4001", "4002"}));
  EXPECT_LE(js.reads - before, 4) << "read from the stream position of `since`, not from the start";
}

TEST_F(LogScanner, ALineStoredLateIsStillFoundByItsOwnTime) {
  write("d", "p", "early", 100);
  write("d", "p", "late", 101, 60);  // stored a minute after it was written (the bus was away)
  write("d", "p", "after", 200);
  v1::LogQuery q;
  q.set_until_unix_nano(150 * kSecond);
  EXPECT_EQ(lines(scan(q)), (std::vector<std::string>{"early", "late"}));
}

TEST_F(LogScanner, LinesRetentionDroppedAreGoneAndTheRestAreFound) {
  for (int i = 0; i < 10; ++i) write("d", "p", std::to_string(i), i);
  js.drop_oldest(6);
  EXPECT_EQ(lines(scan({})), (std::vector<std::string>{"6", "7", "8", "9"}));
  EXPECT_EQ(lines(scan({}, 100, true)), (std::vector<std::string>{"9", "8", "7", "6"}));
}

TEST_F(LogScanner, AMissingStreamIsUnavailable) {
  js.exists = false;
  try {
    scan({});
    FAIL() << "expected 503";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503);
    EXPECT_NE(e.status().message.find("logging addon"), std::string::npos);
  }
}

TEST_F(LogScanner, ALongLineStoredInPartsComesBackWholeEitherWay) {
  write("d", "p", "before", 1);
  for (int part = 0; part < 3; ++part) {
    v1::LogLine l;
    l.set_namespace_("d");
    l.set_pod("p");
    l.set_pod_uid("uid-p");
    l.set_container("main");
    l.set_line(std::string(1, static_cast<char>('x' + part)));
    l.set_time_unix_nano(2 * kSecond);
    l.set_part(part);
    l.set_part_count(3);
    js.add(subjects.log_lines("d", "p", "uid-p", "main"), l.SerializeAsString(), 2 * kSecond);
  }
  write("d", "p", "after", 3);
  EXPECT_EQ(lines(scan({})), (std::vector<std::string>{"before", "xyz", "after"}));
  EXPECT_EQ(lines(scan({}, 100, /*newest_first=*/true)), (std::vector<std::string>{"after", "xyz", "before"}));
}

TEST_F(LogScanner, UndecodableMessagesAreSkipped) {
  js.add(subjects.log_lines("d", "p", "uid-p", "main"), "\xff\xff not a LogLine", kSecond);
  write("d", "p", "good", 2);
  EXPECT_EQ(lines(scan({})), (std::vector<std::string>{"good"}));
}

TEST_F(LogScanner, ThePastDeadlineCutsTheScanAsTruncated) {
  for (int i = 0; i < 10; ++i) write("d", "p", std::to_string(i), i);
  auto filter = logging::LogFilter::compile({});
  logging::ScanOptions options;
  options.stream = "LOGS";
  options.subject_filter = filter.subject_filter(subjects);
  options.limit = 100;
  options.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EXPECT_TRUE(logging::scan_logs(js, options, filter).truncated);
}

}  // namespace
