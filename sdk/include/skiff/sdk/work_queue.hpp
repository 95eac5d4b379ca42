// A rate-limited work queue of keys, as controllers use it (client-go's workqueue):
// a key is queued once however often it is added, is never processed by two workers at
// once, and a failed key comes back after a per-key exponential back-off bounded by an
// overall token bucket.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace skiff::sdk {

struct RateLimit {
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{1000 * 1000};
  double qps = 10;  // the overall bucket for retries
  int burst = 100;
};

class WorkQueue {
 public:
  explicit WorkQueue(RateLimit limits = {});
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  // After a failure: back off per key (base * 2^failures, capped) and overall (token bucket).
  void add_rate_limited(const std::string& key);
  // Success: reset the key's back-off.
  void forget(const std::string& key);
  int failures(const std::string& key) const;

  // Blocks until a key is ready (nullopt once shut down). Call done(key) when finished.
  std::optional<std::string> get();
  // Like get(), but gives up after `timeout`.
  std::optional<std::string> get_for(std::chrono::milliseconds timeout);
  void done(const std::string& key);

  void shut_down();
  bool shutting_down() const;
  std::size_t size() const;

  // Runs `workers` threads: process(key) returning true forgets the key; false or a throw
  // re-adds it rate-limited, until `max_retries` failures, after which it is dropped.
  void run(int workers, std::function<bool(const std::string&)> process, int max_retries = 15);
  // Shuts down and joins the worker threads.
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
  std::chrono::milliseconds backoff_for(const std::string& key);
  void timer_loop();
  void enqueue_locked(const std::string& key);

  RateLimit limits_;
  mutable std::mutex mutex_;
  std::condition_variable ready_cv_;
  std::condition_variable timer_cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued, or re-added while processing
  std::set<std::string> processing_;
  std::map<std::string, int> failures_;
  using Timed = std::pair<Clock::time_point, std::string>;
  std::priority_queue<Timed, std::vector<Timed>, std::greater<>> waiting_;
  double tokens_;
  Clock::time_point tokens_at_;
  bool shutting_down_ = false;
  std::thread timer_;
  std::vector<std::thread> workers_;
};

}  // namespace skiff::sdk
