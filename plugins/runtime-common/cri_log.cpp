#include "cri_log.hpp"

#include <algorithm>
#include <chrono>

#include "skiff/sdk/time.hpp"

namespace skiff::runtime_common {

std::optional<CriLogRecord> parse_cri_log_record(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto first = line.find(' ');
  if (first == std::string_view::npos || first == 0) return std::nullopt;
  auto second = line.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  CriLogRecord record;
  record.time = line.substr(0, first);
  std::string_view stream = line.substr(first + 1, second - first - 1);
  if (stream == "stdout") record.fd = 1;
  else if (stream == "stderr") record.fd = 2;
  else return std::nullopt;
  // The tag is P or F; older writers left it out (a whole line then).
  std::string_view rest = line.substr(second + 1);
  if (rest.size() >= 2 && (rest[0] == 'P' || rest[0] == 'F') && rest[1] == ' ') {
    record.partial = rest[0] == 'P';
    record.text = rest.substr(2);
  } else if (rest == "P" || rest == "F") {
    record.partial = rest[0] == 'P';
    record.text = {};
  } else {
    record.text = rest;
  }
  return record;
}

std::optional<LogLine> LogLineJoiner::add(const CriLogRecord& record) {
  auto& pending = pending_[record.fd == 2 ? 1 : 0];
  if (!pending) pending = LogLine{std::string(record.time), record.fd, ""};
  pending->text.append(record.text);
  if (record.partial) return std::nullopt;
  LogLine line = std::move(*pending);
  pending.reset();
  line.text.push_back('\n');
  return line;
}

std::string render_log_line(const LogLine& line, bool timestamps) {
  if (!timestamps) return line.text;
  // containerd trims the stamp's trailing zeros (Go's RFC3339Nano); the contract has nine digits.
  std::int64_t nanos = log_time_nanos(line.time);
  return (nanos ? sdk::format_rfc3339_nano(nanos) : line.time) + " " + line.text;
}

std::vector<LogLine> select_log_lines(std::vector<LogLine> lines, std::int64_t tail, std::int64_t not_before_unix_nanos) {
  if (not_before_unix_nanos > 0)
    std::erase_if(lines, [&](const LogLine& l) { return log_time_nanos(l.time) < not_before_unix_nanos; });
  if (tail >= 0 && static_cast<std::size_t>(tail) < lines.size())
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(tail));
  return lines;
}

std::int64_t log_time_nanos(std::string_view time) {
  return sdk::parse_rfc3339_nano(time).value_or(0);
}

std::int64_t logs_not_before_nanos(std::int64_t since_seconds, std::int64_t since_time_unix_nano) {
  std::int64_t from_seconds = 0;
  if (since_seconds > 0)
    from_seconds = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       (sdk::WallClock::now() - std::chrono::seconds(since_seconds)).time_since_epoch())
                       .count();
  return std::max(from_seconds, since_time_unix_nano);
}

}  // namespace skiff::runtime_common
