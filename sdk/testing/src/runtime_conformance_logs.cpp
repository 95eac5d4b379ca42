// The runtime conformance suite, logs for a shipper: every line stamped with nanoseconds,
// reading resumed from a line's time (since_time_unix_nano), and a long line whole.
#include <algorithm>
#include <map>
#include <regex>

#include "runtime_conformance_pod.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::conformance {

using namespace runtime_suite;

namespace {

struct StampedLine {
  std::string stamp;
  std::string text;
};

// Joins a stream's chunks per fd and cuts them into "<stamp> <text>" lines.
std::vector<StampedLine> stamped_lines(const sdk::RuntimeClient& runtime, const std::string& id,
                                       std::int64_t since_time_unix_nano = 0) {
  std::map<int, std::string> bytes;
  rt::LogsRequest r;
  r.set_container_id(id);
  r.set_tail_lines(-1);
  r.set_timestamps(true);
  r.set_since_time_unix_nano(since_time_unix_nano);
  runtime.logs(r, [&](const rt::Chunk& c) {
    bytes[c.fd()] += c.data();
    return true;
  });
  std::vector<StampedLine> out;
  for (const auto& [fd, all] : bytes) {
    std::size_t start = 0, end;
    while ((end = all.find('\n', start)) != std::string::npos) {
      std::string line = all.substr(start, end - start);
      std::size_t space = line.find(' ');
      out.push_back({line.substr(0, space), space == std::string::npos ? "" : line.substr(space + 1)});
      start = end + 1;
    }
  }
  return out;
}

// "line 12" (a shell's) or "sim: line 12" (runtime-sim's SIM_LOG_EVERY): 12; -1 for other lines.
int line_number(const std::string& text) {
  static const std::regex numbered(R"((?:sim: )?line (\d+)\.*)");
  std::smatch m;
  return std::regex_match(text, m, numbered) ? std::stoi(m[1]) : -1;
}

std::vector<rt::KeyValue> env(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  std::vector<rt::KeyValue> out;
  for (const auto& [key, value] : pairs) {
    rt::KeyValue kv;
    kv.set_key(key);
    kv.set_value(value);
    out.push_back(kv);
  }
  return out;
}

}  // namespace

TEST_P(RuntimeConformance, LogsResumeFromALinesTime) {
  Pod pod(harness(), test_label(), "resume");
  pod.sandbox();
  // A shell counts on a real runtime; runtime-sim writes "sim: line <n>" on its own.
  std::string id = pod.container("counter", {"sh", "-c", "i=1; while [ $i -le 40 ]; do echo line $i; i=$((i+1)); done; sleep 3600"},
                                 env({{"SIM_LOG_EVERY", "10ms"}}));
  std::vector<StampedLine> all;
  ASSERT_TRUE(eventually([&] {
    all = stamped_lines(pod.runtime, id);
    return std::count_if(all.begin(), all.end(), [](const StampedLine& l) { return line_number(l.text) >= 40; }) > 0;
  })) << "40 numbered lines did not appear";
  static const std::regex nano_stamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)");
  for (const auto& line : all) EXPECT_TRUE(std::regex_match(line.stamp, nano_stamp)) << "stamp '" << line.stamp << "'";

  // Resume from line 20's time: everything from it on, nothing before it but lines of that very time.
  auto twenty = std::find_if(all.begin(), all.end(), [](const StampedLine& l) { return line_number(l.text) == 20; });
  ASSERT_NE(twenty, all.end());
  std::int64_t from = sdk::parse_rfc3339_nano(twenty->stamp).value_or(0);
  ASSERT_GT(from, 0) << twenty->stamp;
  auto resumed = stamped_lines(pod.runtime, id, from);
  std::map<int, int> seen;
  for (const auto& line : resumed) {
    EXPECT_GE(sdk::parse_rfc3339_nano(line.stamp).value_or(0), from) << "a line before the resume time: " << line.text;
    if (int n = line_number(line.text); n > 0) ++seen[n];
  }
  for (int n = 20; n <= 40; ++n) EXPECT_EQ(seen[n], 1) << "line " << n << " after resuming at line 20's time";
  for (int n = 1; n < 20; ++n)
    if (seen.count(n)) {
      auto earlier = std::find_if(all.begin(), all.end(), [n](const StampedLine& l) { return line_number(l.text) == n; });
      EXPECT_EQ(earlier->stamp, twenty->stamp) << "line " << n << " came again though written before line 20";
    }
}

TEST_P(RuntimeConformance, ALongLineComesWholeWithOneStamp) {
  Pod pod(harness(), test_label(), "long");
  pod.sandbox();
  const std::size_t kLong = 1 << 20;
  std::string id = pod.container(
      "long", {"sh", "-c", "dd if=/dev/zero bs=1024 count=1024 2>/dev/null | tr '\\0' x; echo; echo after"},
      env({{"SIM_LOG_EVERY", "100ms"}, {"SIM_LOG_LINE_BYTES", "1048576"}, {"SIM_EXIT_CODE", "0"}, {"SIM_EXIT_AFTER", "150ms"}}));
  ASSERT_TRUE(pod.exited(id));
  auto lines = stamped_lines(pod.runtime, id);
  auto long_line = std::find_if(lines.begin(), lines.end(), [&](const StampedLine& l) { return l.text.size() >= kLong / 2; });
  ASSERT_NE(long_line, lines.end()) << "no long line among " << lines.size();
  EXPECT_EQ(long_line->text.size(), kLong) << "the 1 MiB line was cut or joined wrongly";
  char filler = long_line->text.back();
  EXPECT_EQ(long_line->text.find_first_not_of(filler, 64), std::string::npos) << "a stamp or a break inside the line";
  EXPECT_TRUE(sdk::parse_rfc3339_nano(long_line->stamp)) << long_line->stamp;
  if (GetParam().real_processes) {
    EXPECT_EQ(long_line->text.find_first_not_of('x'), std::string::npos);
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const StampedLine& l) { return l.text == "after"; }));
  }
}

}  // namespace skiff::conformance
