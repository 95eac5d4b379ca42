// Streams one container's CRI log file for a logs request: the lines already there (since,
// tail), then — when following — what is appended, across a rotation (the file at the path
// replaced or truncated), until the container has exited and the file is read, or the caller
// stops.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace skiff::runtime_common {

struct LogReadOptions {
  bool follow = false;
  std::int64_t tail = -1;              // < 0: all
  std::int64_t not_before_nanos = 0;   // 0: all
  bool timestamps = false;
};

struct LogReadCallbacks {
  std::function<void(int fd, std::string_view data)> write;
  std::function<bool()> container_exited;  // asked while following, when the file has no more
  std::function<bool()> stopped;           // the caller is gone
};

void read_cri_log(const std::string& path, const LogReadOptions& options, const LogReadCallbacks& callbacks);

}  // namespace skiff::runtime_common
