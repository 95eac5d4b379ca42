// Queue state lives under one mutex; a timer thread moves delayed keys in when they are due.
#include "skiff/sdk/work_queue.hpp"

#include <algorithm>
#include <cmath>

namespace skiff::sdk {

WorkQueue::WorkQueue(RateLimit limits)
    : limits_(limits), tokens_(limits.burst), tokens_at_(Clock::now()), timer_([this] { timer_loop(); }) {}

WorkQueue::~WorkQueue() { stop(); }

void WorkQueue::enqueue_locked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // done() queues it again
  queue_.push_back(key);
  ready_cv_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mutex_);
  enqueue_locked(key);
}

void WorkQueue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return add(key);
  std::lock_guard lock(mutex_);
  if (shutting_down_) return;
  waiting_.emplace(Clock::now() + delay, key);
  timer_cv_.notify_one();
}

std::chrono::milliseconds WorkQueue::backoff_for(const std::string& key) {
  int failures = failures_[key]++;
  double per_key = limits_.base_delay.count() * std::pow(2.0, std::min(failures, 40));
  per_key = std::min<double>(per_key, static_cast<double>(limits_.max_delay.count()));
  // Token bucket: take a token now; when there is none, wait for the one we reserve.
  auto now = Clock::now();
  tokens_ = std::min<double>(limits_.burst,
                             tokens_ + limits_.qps * std::chrono::duration<double>(now - tokens_at_).count());
  tokens_at_ = now;
  tokens_ -= 1;
  double bucket_ms = tokens_ >= 0 ? 0 : -tokens_ / limits_.qps * 1000;
  return std::chrono::milliseconds(static_cast<long long>(std::max(per_key, bucket_ms)));
}

void WorkQueue::add_rate_limited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mutex_);
    delay = backoff_for(key);
  }
  add_after(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int WorkQueue::failures(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  ready_cv_.wait(lock, [&] { return shutting_down_ || !queue_.empty(); });
  if (queue_.empty()) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

std::optional<std::string> WorkQueue::get_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!ready_cv_.wait_for(lock, timeout, [&] { return shutting_down_ || !queue_.empty(); }) || queue_.empty())
    return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutting_down_) {
    queue_.push_back(key);
    ready_cv_.notify_one();
  }
}

void WorkQueue::shut_down() {
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  ready_cv_.notify_all();
  timer_cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mutex_);
  return shutting_down_;
}

std::size_t WorkQueue::size() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WorkQueue::timer_loop() {
  std::unique_lock lock(mutex_);
  while (!shutting_down_) {
    if (waiting_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    auto due = waiting_.top().first;
    if (Clock::now() < due) {
      timer_cv_.wait_until(lock, due);
      continue;
    }
    std::string key = waiting_.top().second;
    waiting_.pop();
    enqueue_locked(key);
  }
}

void WorkQueue::run(int workers, std::function<bool(const std::string&)> process, int max_retries) {
  for (int i = 0; i < workers; ++i)
    workers_.emplace_back([this, process, max_retries] {
      while (auto key = get()) {
        bool ok = false;
        try {
          ok = process(*key);
        } catch (...) {
          ok = false;
        }
        if (ok || failures(*key) >= max_retries)
          forget(*key);
        else
          add_rate_limited(*key);
        done(*key);
      }
    });
}

void WorkQueue::stop() {
  shut_down();
  for (auto& worker : workers_)
    if (worker.joinable()) worker.join();
  workers_.clear();
  if (timer_.joinable()) timer_.join();
}

}  // namespace skiff::sdk
