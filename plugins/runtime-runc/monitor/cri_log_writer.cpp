#include "cri_log_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace skiff::runc {

namespace {

// containerd's limit for one record's text; longer lines are split into P records.
constexpr std::size_t kMaxRecordText = 16 * 1024;

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return;  // a full disk loses log lines, never the container
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string cri_log_time() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm utc{};
  gmtime_r(&now.tv_sec, &utc);
  char text[64];
  std::size_t n = strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%09ldZ", static_cast<long>(now.tv_nsec));
  return text;
}

CriLogWriter::CriLogWriter(std::string path, std::int64_t max_bytes, int max_files)
    : path_(std::move(path)), max_bytes_(max_bytes), max_files_(max_files < 1 ? 1 : max_files) {
  open();
}

CriLogWriter::~CriLogWriter() {
  if (file_ >= 0) ::close(file_);
}

void CriLogWriter::open() {
  file_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  struct stat st {};
  size_ = file_ >= 0 && ::fstat(file_, &st) == 0 ? st.st_size : 0;
}

void CriLogWriter::rotate() {
  if (file_ >= 0) ::close(file_);
  if (max_files_ == 1) {
    ::truncate(path_.c_str(), 0);
  } else {
    for (int i = max_files_ - 1; i >= 1; --i) {
      std::string from = i == 1 ? path_ : path_ + "." + std::to_string(i - 1);
      ::rename(from.c_str(), (path_ + "." + std::to_string(i)).c_str());
    }
  }
  open();
}

void CriLogWriter::record(int fd, std::string_view text, bool partial) {
  std::string line = cri_log_time();
  line += fd == 2 ? " stderr " : " stdout ";
  line += partial ? "P " : "F ";
  line.append(text);
  line.push_back('\n');
  if (file_ < 0) open();
  if (file_ >= 0) write_all(file_, line);
  size_ += static_cast<std::int64_t>(line.size());
  if (size_ >= max_bytes_) rotate();
}

void CriLogWriter::write(int fd, std::string_view data) {
  std::string& pending = pending_[fd == 2 ? 1 : 0];
  pending.append(data);
  std::size_t start = 0, newline;
  while ((newline = pending.find('\n', start)) != std::string::npos) {
    std::string_view line(pending.data() + start, newline - start);
    while (line.size() > kMaxRecordText) {
      record(fd, line.substr(0, kMaxRecordText), true);
      line.remove_prefix(kMaxRecordText);
    }
    record(fd, line, false);
    start = newline + 1;
  }
  pending.erase(0, start);
  while (pending.size() > kMaxRecordText) {
    record(fd, std::string_view(pending).substr(0, kMaxRecordText), true);
    pending.erase(0, kMaxRecordText);
  }
}

void CriLogWriter::flush() {
  for (int i = 0; i < 2; ++i)
    if (!pending_[i].empty()) {
      record(i == 1 ? 2 : 1, pending_[i], false);
      pending_[i].clear();
    }
}

}  // namespace skiff::runc
