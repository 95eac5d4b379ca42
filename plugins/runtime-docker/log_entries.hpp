// Docker's log entries as the logs API sends them with timestamps=1: one frame per entry,
// "<RFC 3339 nano> <text>", where a line longer than 16 KiB was stored as several entries and
// only the last ends in '\n'. Joined back here so a line comes whole with one stamp (its
// first part's), as the runtime contract promises.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::docker {

class StampedLineJoiner {
 public:
  // `out` gets each whole line: "<stamp> <text>\n" (with_stamps) or "<text>\n".
  StampedLineJoiner(bool with_stamps, std::function<void(int fd, std::string_view line)> out)
      : with_stamps_(with_stamps), out_(std::move(out)) {}

  // One entry of stream `fd` (1 or 2).
  void add(int fd, std::string_view entry);
  // The end of the logs: a last line without '\n' goes out as it is.
  void flush();

 private:
  struct Pending {
    std::string stamp;
    std::string text;
  };
  bool with_stamps_;
  std::function<void(int, std::string_view)> out_;
  std::optional<Pending> pending_[2];
};

}  // namespace skiff::docker
