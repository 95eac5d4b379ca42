// A bounded set of threads, one per running query or live tail: a query blocks on stream reads,
// so it runs on its own thread, never on the bus's. stop_all() tells them to finish and joins.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace skiff::logging {

class SessionThreads {
 public:
  explicit SessionThreads(std::size_t max) : max_(max) {}
  ~SessionThreads() { stop_all(); }

  // Runs `body` on a new thread; false (and nothing runs) when `max` already run or stopping.
  // `body` should return soon once `stopping` is set.
  bool launch(std::function<void(const std::atomic<bool>& stopping)> body);
  void stop_all();
  std::size_t running();

 private:
  struct Session {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  void reap_finished();  // with mutex_ held

  std::size_t max_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::list<Session> sessions_;
};

}  // namespace skiff::logging
