// CRI's container log format, as containerd writes it: one record a line,
// `<RFC 3339 nano time> <stdout|stderr> <P|F> <text>`, where P marks a part of a longer line
// (the rest follows in later records) and F the last part. Parsing, joining the parts, and
// choosing what `kubectl logs --tail --since-time` would show.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::runtime_common {

struct CriLogRecord {
  std::string_view time;
  int fd = 1;  // 1 stdout, 2 stderr
  bool partial = false;
  std::string_view text;
};

// One record (a file line without its '\n'); nullopt when it is not one.
std::optional<CriLogRecord> parse_cri_log_record(std::string_view line);

// A line the container wrote: its parts joined, ending in '\n'.
struct LogLine {
  std::string time;  // of its first part
  int fd = 1;
  std::string text;
};

// Joins records into lines; stdout and stderr each have their own pending part.
class LogLineJoiner {
 public:
  // A whole line when `record` completes one.
  std::optional<LogLine> add(const CriLogRecord& record);

 private:
  std::optional<LogLine> pending_[2];
};

// What the caller sees of a line: its text, after its time when `timestamps` is asked for
// (as the kubelet writes it: "<time> <text>", the time with nine digits of fraction).
std::string render_log_line(const LogLine& line, bool timestamps);

// The lines of `lines` a logs request shows: those written at or after `not_before_unix_nanos`
// (0: all), then the last `tail` of them (< 0: all).
std::vector<LogLine> select_log_lines(std::vector<LogLine> lines, std::int64_t tail, std::int64_t not_before_unix_nanos);

// A record's time as nanoseconds since the epoch; 0 when it does not parse.
std::int64_t log_time_nanos(std::string_view time);

// Where a logs request starts: since_seconds before now or since_time_unix_nano, the later (0: all).
std::int64_t logs_not_before_nanos(std::int64_t since_seconds, std::int64_t since_time_unix_nano);

}  // namespace skiff::runtime_common
