#include "log_positions.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

LogPositions::LogPositions(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id;
    LogPosition p;
    if (fields >> id >> p.time_unix_nano >> p.lines_at_time) positions_[id] = p;
  }
}

std::optional<LogPosition> LogPositions::get(const std::string& container_id) const {
  std::lock_guard lock(mutex_);
  auto it = positions_.find(container_id);
  if (it == positions_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, LogPosition> LogPositions::all() const {
  std::lock_guard lock(mutex_);
  return positions_;
}

void LogPositions::set(const std::string& container_id, LogPosition position) {
  std::lock_guard lock(mutex_);
  auto& kept = positions_[container_id];
  if (kept == position) return;
  kept = position;
  dirty_ = true;
}

void LogPositions::forget(const std::string& container_id) {
  std::lock_guard lock(mutex_);
  dirty_ |= positions_.erase(container_id) > 0;
}

void LogPositions::save() {
  std::lock_guard saving(save_mutex_);  // one writer of the file at a time
  std::string text;
  {
    std::lock_guard lock(mutex_);
    if (!dirty_) return;
    for (const auto& [id, p] : positions_)
      text += id + " " + std::to_string(p.time_unix_nano) + " " + std::to_string(p.lines_at_time) + "\n";
    dirty_ = false;
  }
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  std::string temporary = path_ + ".new";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool written = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ::close(fd);
  if (!written || std::rename(temporary.c_str(), path_.c_str()) != 0) {
    std::lock_guard lock(mutex_);
    dirty_ = true;  // tried again with the next save
    throw sdk::Error(sdk::Status::Internal("cannot write the log positions file " + path_ +
                                           ": check that the kubelet's data dir is writable and not full"));
  }
}

}  // namespace skiff::kubelet
