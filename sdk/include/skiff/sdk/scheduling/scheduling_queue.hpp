// Pods waiting for a node, as Kubernetes' scheduler keeps them: an active queue ordered by
// spec.priority (higher first), then age; a back-off queue for pods that just failed (1 s,
// doubling to 10 s); and a parking lot for pods that fit nowhere, moved back when the cluster
// changes (a node added or changed, a pod gone) or after a while regardless. The pods one change
// wakes leave in priority order: none goes before a higher-priority one woken with it that is
// still cooling down (else the one that failed first would take the new room, whatever its
// priority). The queue assumes one popper: one attempt at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "skiff/sdk/scheduling/node_info.hpp"

namespace skiff::sdk::scheduling {

struct QueueOptions {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds unschedulable_timeout{60000};  // parked pods retried after this anyway
};

struct QueuedPod {
  PodPtr pod;
  std::string key;
  int attempts = 0;
  std::chrono::steady_clock::time_point first_seen;
  std::chrono::steady_clock::time_point last_failure;
  std::uint64_t popped_in_cycle = 0;
  std::uint64_t wake_up = 0;  // the cluster change that woke it from the parking lot (0: none)
};

class SchedulingQueue {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SchedulingQueue(QueueOptions options = {}) : options_(options) {}

  // From the informer: a pod that needs a node (new, or changed while waiting).
  void add_or_update(PodPtr pod);
  void remove(const std::string& key);
  // The next pod to schedule; nullopt after `wait` or once closed.
  std::optional<QueuedPod> pop(std::chrono::milliseconds wait);
  // After an attempt: it fits nowhere (parked until the cluster changes) …
  void unschedulable(QueuedPod pod);
  // … or it failed for another reason (binding): retried after its back-off.
  void retry(QueuedPod pod);
  // The attempt ended with the pod placed (or gone): forget it.
  void done(const std::string& key);
  // Something changed that may let parked pods fit.
  void cluster_changed();
  void close();

  std::size_t active_size() const;
  std::size_t pending_size() const;  // every pod not yet placed

 private:
  using Order = std::tuple<std::int64_t, std::int64_t, std::uint64_t>;  // -priority, creation, sequence
  Order order_of(const PodPtr& pod);
  void push_active(QueuedPod pod);
  // Until last_failure + its back-off (which doubles with each attempt), or a later `until`.
  void push_backoff(QueuedPod pod);
  void push_backoff(QueuedPod pod, Clock::time_point until);
  void push_waiting(QueuedPod pod, Clock::time_point until);  // to the active queue once `until` has passed
  Clock::time_point backoff_until(const QueuedPod& pod) const;
  // The parked pods one cluster change wakes, released in priority order.
  void wake(std::vector<QueuedPod> pods);
  // A pod whose attempt overlapped the last wake-up joins it: lower-priority pods woken then wait for it.
  void join_wake_up(QueuedPod pod);
  QueuedPod* waiting_member(const std::string& key);  // of the last wake-up, not yet popped
  void hold_until(const std::string& key, Clock::time_point until);  // a waiting member
  void promote(Clock::time_point now);
  void erase_everywhere(const std::string& key);

  QueueOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool closed_ = false;
  std::uint64_t sequence_ = 0;
  std::uint64_t cycle_ = 0;           // attempts started
  std::uint64_t moved_in_cycle_ = 0;  // the last cycle during which the cluster changed
  std::uint64_t wake_up_ = 0;         // the last change that woke parked pods
  std::vector<std::string> woken_;    // the pods it woke (some may have been popped since)
  std::map<Order, QueuedPod> active_;
  std::unordered_map<std::string, Order> active_keys_;
  std::multimap<Clock::time_point, std::string> backoff_order_;
  std::unordered_map<std::string, std::pair<Clock::time_point, QueuedPod>> backoff_;
  std::unordered_map<std::string, std::pair<Clock::time_point, QueuedPod>> parked_;
  // Pods being scheduled right now, and the newest version seen meanwhile.
  std::unordered_map<std::string, PodPtr> in_flight_;
};

}  // namespace skiff::sdk::scheduling
