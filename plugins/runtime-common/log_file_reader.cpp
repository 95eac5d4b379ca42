#include "log_file_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include "cri_log.hpp"

namespace skiff::runtime_common {

namespace {

// How long a follower sleeps in poll() between looks at the file, the container and the caller
// when inotify reports nothing (a rotation, an exit or a stop is noticed within this).
constexpr int kFollowPollMillis = 200;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads a file from where it was left, splitting it into records and joining them into lines.
class LogCursor {
 public:
  explicit LogCursor(std::string path) : path_(std::move(path)) {}

  // Opens the file at the path when none is open (or it was replaced and the old one is read).
  bool open() {
    if (file_.get() >= 0) return true;
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    file_.reset(fd);
    struct stat st {};
    ::fstat(fd, &st);
    inode_ = st.st_ino;
    offset_ = 0;
    buffer_.clear();
    return true;
  }

  // Every whole line appended since the last call.
  std::vector<LogLine> read_lines() {
    std::vector<LogLine> lines;
    if (file_.get() < 0) return lines;
    struct stat st {};
    if (::fstat(file_.get(), &st) == 0 && st.st_size < offset_) {  // truncated in place: from its start
      offset_ = 0;
      buffer_.clear();
    }
    char chunk[65536];
    ssize_t n;
    while ((n = ::pread(file_.get(), chunk, sizeof chunk, offset_)) > 0) {
      offset_ += n;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    std::size_t start = 0, newline;
    while ((newline = buffer_.find('\n', start)) != std::string::npos) {
      if (auto record = parse_cri_log_record(std::string_view(buffer_).substr(start, newline - start)))
        if (auto line = joiner_.add(*record)) lines.push_back(std::move(*line));
      start = newline + 1;
    }
    buffer_.erase(0, start);
    return lines;
  }

  // True when another file now has the path (rotated): read this one out, then open again.
  bool replaced() const {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return false;  // not recreated yet
    return file_.get() >= 0 && st.st_ino != inode_;
  }
  void close() { file_.reset(); }

 private:
  std::string path_;
  Fd file_;
  ino_t inode_ = 0;
  off_t offset_ = 0;
  std::string buffer_;
  LogLineJoiner joiner_;
};

void emit(const std::vector<LogLine>& lines, const LogReadOptions& options, const LogReadCallbacks& callbacks) {
  for (const auto& line : lines) {
    if (options.not_before_nanos > 0 && log_time_nanos(line.time) < options.not_before_nanos) continue;
    callbacks.write(line.fd, render_log_line(line, options.timestamps));
  }
}

void follow(LogCursor& cursor, const std::string& path, const LogReadOptions& options, const LogReadCallbacks& callbacks) {
  Fd notify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  std::string dir = path.substr(0, path.rfind('/'));
  if (notify.get() >= 0) ::inotify_add_watch(notify.get(), dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
  while (!callbacks.stopped()) {
    cursor.open();
    auto lines = cursor.read_lines();
    emit(lines, options, callbacks);
    if (cursor.replaced()) {
      emit(cursor.read_lines(), options, callbacks);
      cursor.close();
      continue;
    }
    if (lines.empty() && callbacks.container_exited()) {
      cursor.open();
      emit(cursor.read_lines(), options, callbacks);  // what it wrote before it ended
      return;
    }
    pollfd wait{notify.get(), POLLIN, 0};
    if (::poll(&wait, notify.get() >= 0 ? 1 : 0, kFollowPollMillis) > 0) {
      char events[4096];
      while (::read(notify.get(), events, sizeof events) > 0) {
      }
    }
  }
}

}  // namespace

void read_cri_log(const std::string& path, const LogReadOptions& options, const LogReadCallbacks& callbacks) {
  LogCursor cursor(path);
  if (cursor.open()) {
    auto lines = select_log_lines(cursor.read_lines(), options.tail, options.not_before_nanos);
    for (const auto& line : lines) callbacks.write(line.fd, render_log_line(line, options.timestamps));
  }
  if (options.follow) follow(cursor, path, options, callbacks);
}

}  // namespace skiff::runtime_common
