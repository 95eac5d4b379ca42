#include "session_threads.hpp"

namespace skiff::logging {

void SessionThreads::reap_finished() {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (!*it->finished) {
      ++it;
      continue;
    }
    it->thread.join();
    it = sessions_.erase(it);
  }
}

bool SessionThreads::launch(std::function<void(const std::atomic<bool>& stopping)> body) {
  std::lock_guard lock(mutex_);
  if (stopping_) return false;
  reap_finished();
  if (sessions_.size() >= max_) return false;
  auto finished = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([this, body = std::move(body), finished] {
    body(stopping_);
    *finished = true;
  });
  sessions_.push_back({std::move(thread), finished});
  return true;
}

void SessionThreads::stop_all() {
  std::list<Session> sessions;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    sessions.swap(sessions_);
  }
  for (auto& s : sessions) s.thread.join();
}

std::size_t SessionThreads::running() {
  std::lock_guard lock(mutex_);
  reap_finished();
  return sessions_.size();
}

}  // namespace skiff::logging
