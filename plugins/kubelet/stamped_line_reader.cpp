#include "stamped_line_reader.hpp"

#include <optional>

#include "skiff/sdk/time.hpp"

namespace skiff::kubelet {

void StampedLineReader::take(int fd, Pending& pending, std::string_view line, std::vector<StampedLine>& out) {
  StampedLine result{fd, 0, ""};
  if (pending.continues) {
    result.time_unix_nano = pending.time;
    result.text.assign(line);
  } else {
    std::size_t space = line.find(' ');
    std::optional<std::int64_t> time;
    if (space != std::string_view::npos) time = sdk::parse_rfc3339_nano(line.substr(0, space));
    // A line without a stamp keeps all its bytes and the time of the line before it.
    result.time_unix_nano = time ? *time : last_time_;
    result.text.assign(time ? line.substr(space + 1) : line);
  }
  last_time_ = result.time_unix_nano;
  out.push_back(std::move(result));
}

std::vector<StampedLine> StampedLineReader::add(int fd, std::string_view data) {
  std::vector<StampedLine> out;
  Pending& pending = pending_[fd == 2 ? 1 : 0];
  pending.bytes.append(data);
  std::size_t start = 0, newline;
  while ((newline = pending.bytes.find('\n', start)) != std::string::npos) {
    take(fd, pending, std::string_view(pending.bytes).substr(start, newline - start), out);
    pending.continues = false;
    start = newline + 1;
  }
  pending.bytes.erase(0, start);
  if (pending.bytes.size() >= max_pending_) {  // a runaway line: out it goes, the rest follows
    take(fd, pending, pending.bytes, out);
    pending.time = out.back().time_unix_nano;
    pending.continues = true;
    pending.bytes.clear();
  }
  return out;
}

std::vector<StampedLine> StampedLineReader::flush() {
  std::vector<StampedLine> out;
  for (int i = 0; i < 2; ++i) {
    Pending& pending = pending_[i];
    if (!pending.bytes.empty()) take(i + 1, pending, pending.bytes, out);
    pending = Pending{};
  }
  return out;
}

}  // namespace skiff::kubelet
