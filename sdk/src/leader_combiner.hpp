// Leader/follower combining for batch requests from many threads, with no thread of its own:
// a caller queues its item and, while it is not done, either finds a free sending slot and
// sends what is queued for everyone (the leader), or waits for a leader to finish its item.
// Used by the store client's write coalescer and the API's status writer.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace skiff::sdk::detail {

// Item needs a `bool done`, which the combiner sets (under its lock) once `send` has
// written the item's result: the owner reads its result only after it sees `done`.
template <class Item>
class LeaderCombiner {
 public:
  using Batch = std::vector<std::shared_ptr<Item>>;
  explicit LeaderCombiner(int max_in_flight) : max_in_flight_(max_in_flight < 1 ? 1 : max_in_flight) {}

  // take(queue) → Batch, under the lock: what leaves next. send(batch), without the lock:
  // sends it and writes every item's result; it must not throw.
  template <class Take, class Send>
  void run(const std::shared_ptr<Item>& item, Take take, Send send) {
    std::unique_lock lock(mutex_);
    queue_.push_back(item);
    while (!item->done) {
      if (in_flight_ < max_in_flight_ && !queue_.empty()) {
        Batch batch = take(queue_);
        ++in_flight_;
        lock.unlock();
        send_all(send, batch);
        lock.lock();
        for (auto& sent : batch) sent->done = true;
        --in_flight_;
        changed_.notify_all();
      } else {
        changed_.wait(lock);
      }
    }
  }

 private:
  // A send that threw would leave the others' items waiting forever: send must answer every
  // item itself, and one that throws ends the process here rather than hanging it.
  template <class Send>
  static void send_all(Send& send, Batch& batch) noexcept {
    send(batch);
  }

  int max_in_flight_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Item>> queue_;
  int in_flight_ = 0;
};

}  // namespace skiff::sdk::detail
