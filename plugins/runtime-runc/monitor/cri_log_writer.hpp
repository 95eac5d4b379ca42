// Writes a container's stdout and stderr as CRI log records, one a line:
// `<RFC 3339 nano time> <stdout|stderr> <P|F> <text>` — F ends a line, P is a part of a longer
// one (over 16 KiB, or cut off at the end) — and rotates the file when it grows past its
// limit (the file renamed to .1, .1 to .2 …, a new one opened at the path). No dependencies
// beyond libc: the monitor that uses it stays small.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace skiff::runc {

// A record's time: "2026-11-30T12:55:24.340722757Z".
std::string cri_log_time();

class CriLogWriter {
 public:
  CriLogWriter(std::string path, std::int64_t max_bytes, int max_files);
  ~CriLogWriter();
  CriLogWriter(const CriLogWriter&) = delete;
  CriLogWriter& operator=(const CriLogWriter&) = delete;

  // Output of the container on fd 1 (stdout) or 2 (stderr), as it came.
  void write(int fd, std::string_view data);
  // Writes what is pending of a line on each stream (at the end: no more will come).
  void flush();

 private:
  void record(int fd, std::string_view text, bool partial);
  void open();
  void rotate();

  std::string path_;
  std::int64_t max_bytes_;
  int max_files_;
  int file_ = -1;
  std::int64_t size_ = 0;
  std::string pending_[2];
};

}  // namespace skiff::runc
