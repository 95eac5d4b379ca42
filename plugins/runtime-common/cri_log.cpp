#include "cri_log.hpp"

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
  return timestamps ? line.time + " " + line.text : line.text;
}

std::vector<LogLine> select_log_lines(std::vector<LogLine> lines, std::int64_t tail, std::int64_t not_before_unix_nanos) {
  if (not_before_unix_nanos > 0)
    std::erase_if(lines, [&](const LogLine& l) { return log_time_nanos(l.time) < not_before_unix_nanos; });
  if (tail >= 0 && static_cast<std::size_t>(tail) < lines.size())
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(tail));
  return lines;
}

std::int64_t log_time_nanos(std::string_view time) {
  auto parsed = sdk::parse_rfc3339(time);
  if (!parsed) return 0;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(parsed->time_since_epoch()).count();
}

}  // namespace skiff::runtime_common
