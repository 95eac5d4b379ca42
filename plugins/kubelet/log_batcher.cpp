#include "log_batcher.hpp"

#include <algorithm>

namespace skiff::kubelet {

void LogBatcher::add(ShipRecord record) {
  std::lock_guard lock(mutex_);
  queue_.emplace_back(Clock::now(), std::move(record));
  if (queue_.size() >= max_lines_) changed_.notify_all();
  else if (queue_.size() == 1) changed_.notify_all();  // a deadline starts
}

std::vector<ShipRecord> LogBatcher::next(Clock::time_point until) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (queue_.size() >= max_lines_ || closed_) break;
    if (!queue_.empty() && Clock::now() >= queue_.front().first + max_wait_) break;
    auto wake = queue_.empty() ? until : std::min(until, queue_.front().first + max_wait_);
    if (Clock::now() >= until) return {};
    changed_.wait_until(lock, wake);
  }
  std::size_t n = std::min(max_lines_, queue_.size());
  std::vector<ShipRecord> batch;
  batch.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(queue_.front().second));
    queue_.pop_front();
  }
  return batch;
}

void LogBatcher::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

bool LogBatcher::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

std::size_t LogBatcher::size() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace skiff::kubelet
