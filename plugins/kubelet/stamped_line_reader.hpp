// Turns a runtime's logs stream (Chunks asked with timestamps) back into lines: per fd, bytes
// are joined and cut at '\n', and each line's leading RFC 3339 stamp becomes its time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::kubelet {

struct StampedLine {
  int fd = 1;  // 1 stdout, 2 stderr
  std::int64_t time_unix_nano = 0;
  std::string text;  // without the stamp and the '\n'
};

class StampedLineReader {
 public:
  // A line still without '\n' after `max_pending` bytes goes out as it is, and the rest of it
  // follows as more lines of the same time (memory stays bounded whatever a container prints).
  explicit StampedLineReader(std::size_t max_pending = 16u << 20) : max_pending_(max_pending) {}

  // Bytes of stream `fd`; the lines they complete.
  std::vector<StampedLine> add(int fd, std::string_view data);
  // The stream ended: what is left, as lines.
  std::vector<StampedLine> flush();

 private:
  struct Pending {
    std::string bytes;
    bool continues = false;  // bytes go on a line cut short: no stamp in front
    std::int64_t time = 0;   // that line's
  };
  void take(int fd, Pending& pending, std::string_view line, std::vector<StampedLine>& out);

  std::size_t max_pending_;
  Pending pending_[2];
  std::int64_t last_time_ = 0;  // for a line whose stamp does not parse
};

}  // namespace skiff::kubelet
