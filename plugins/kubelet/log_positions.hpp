// How far each container's log has been shipped (acknowledged by the stream, or kept in the
// disk buffer): a small file under the kubelet's data dir, replaced atomically, so a restart
// (kill -9 too) resumes each container where its last stored line was.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace skiff::kubelet {

// A place in a container's log: the time of the last shipped line and how many lines of
// exactly that time were shipped (resuming at that time, those are skipped).
struct LogPosition {
  std::int64_t time_unix_nano = 0;
  std::uint32_t lines_at_time = 0;

  // The position after one more line of time `t`.
  LogPosition after(std::int64_t t) const {
    return t == time_unix_nano ? LogPosition{t, lines_at_time + 1} : LogPosition{t, 1};
  }
  bool operator==(const LogPosition&) const = default;
};

class LogPositions {
 public:
  // Reads `path` when it exists (an unreadable line is skipped: that container starts over).
  explicit LogPositions(std::string path);

  std::optional<LogPosition> get(const std::string& container_id) const;
  std::map<std::string, LogPosition> all() const;
  void set(const std::string& container_id, LogPosition position);
  void forget(const std::string& container_id);
  // Writes the file when something changed: a new file renamed over the old one.
  void save();

 private:
  std::string path_;
  std::mutex save_mutex_;
  mutable std::mutex mutex_;
  std::map<std::string, LogPosition> positions_;
  bool dirty_ = false;
};

}  // namespace skiff::kubelet
