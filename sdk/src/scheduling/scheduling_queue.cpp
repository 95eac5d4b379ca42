#include "skiff/sdk/scheduling/scheduling_queue.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>

#include "skiff/sdk/time.hpp"

namespace skiff::sdk::scheduling {
namespace {

// Only the spec and the labels bear on where a pod can go; status and metadata churn do not.
bool changes_placement(const api::core::v1::Pod& before, const api::core::v1::Pod& after) {
  // Not by comparing serialized bytes: map fields serialize in no fixed order.
  if (!google::protobuf::util::MessageDifferencer::Equals(before.spec(), after.spec())) return true;
  const auto& a = before.metadata().labels();
  const auto& b = after.metadata().labels();
  if (a.size() != b.size()) return true;
  for (const auto& [key, value] : a) {
    auto it = b.find(key);
    if (it == b.end() || it->second != value) return true;
  }
  return false;
}

std::int64_t priority_of(const PodPtr& pod) { return pod->spec().has_priority() ? pod->spec().priority() : 0; }

}  // namespace

SchedulingQueue::Order SchedulingQueue::order_of(const PodPtr& pod) {
  std::int64_t priority = priority_of(pod);
  auto created = parse_rfc3339(pod->metadata().creation_timestamp());
  std::int64_t since_epoch = created ? std::chrono::duration_cast<std::chrono::seconds>(created->time_since_epoch()).count() : 0;
  return {-priority, since_epoch, ++sequence_};
}

void SchedulingQueue::push_active(QueuedPod pod) {
  Order order = order_of(pod.pod);
  active_keys_[pod.key] = order;
  active_.emplace(order, std::move(pod));
  wake_.notify_one();
}

SchedulingQueue::Clock::time_point SchedulingQueue::backoff_until(const QueuedPod& pod) const {
  auto delay = options_.initial_backoff;
  for (int i = 1; i < pod.attempts && delay < options_.max_backoff; ++i) delay *= 2;
  return pod.last_failure + std::min(delay, options_.max_backoff);
}

void SchedulingQueue::push_backoff(QueuedPod pod) {
  auto until = backoff_until(pod);  // not in the call below: the argument may be moved from first
  push_backoff(std::move(pod), until);
}

void SchedulingQueue::push_backoff(QueuedPod pod, Clock::time_point until) {
  backoff_order_.emplace(until, pod.key);
  std::string key = pod.key;
  backoff_[key] = {until, std::move(pod)};
  wake_.notify_one();
}

void SchedulingQueue::push_waiting(QueuedPod pod, Clock::time_point until) {
  if (until > Clock::now()) push_backoff(std::move(pod), until);
  else push_active(std::move(pod));
}

void SchedulingQueue::wake(std::vector<QueuedPod> pods) {
  ++wake_up_;
  woken_.clear();
  std::stable_sort(pods.begin(), pods.end(),
                   [](const QueuedPod& a, const QueuedPod& b) { return priority_of(a.pod) > priority_of(b.pod); });
  // Each waits for its own back-off and for those of every higher-priority pod woken with it.
  auto seen = Clock::time_point::min(), higher = seen;
  std::optional<std::int64_t> level;
  for (auto& pod : pods) {
    if (level != priority_of(pod.pod)) {
      level = priority_of(pod.pod);
      higher = seen;
    }
    auto own = backoff_until(pod);
    seen = std::max(seen, own);
    pod.wake_up = wake_up_;
    woken_.push_back(pod.key);
    push_waiting(std::move(pod), std::max(own, higher));
  }
}

QueuedPod* SchedulingQueue::waiting_member(const std::string& key) {
  if (auto it = backoff_.find(key); it != backoff_.end())
    return it->second.second.wake_up == wake_up_ ? &it->second.second : nullptr;
  if (auto it = active_keys_.find(key); it != active_keys_.end()) {
    QueuedPod& pod = active_.find(it->second)->second;
    return pod.wake_up == wake_up_ ? &pod : nullptr;
  }
  return nullptr;
}

void SchedulingQueue::hold_until(const std::string& key, Clock::time_point until) {
  if (auto it = backoff_.find(key); it != backoff_.end()) {
    if (it->second.first >= until) return;
    it->second.first = until;  // its earlier entry in backoff_order_ is skipped when it comes up
    backoff_order_.emplace(until, key);
    return;
  }
  auto it = active_keys_.find(key);
  auto node = active_.extract(it->second);
  active_keys_.erase(it);
  push_backoff(std::move(node.mapped()), until);
}

void SchedulingQueue::join_wake_up(QueuedPod pod) {
  std::int64_t priority = priority_of(pod.pod);
  auto until = backoff_until(pod);
  for (const auto& key : woken_)
    if (QueuedPod* member = waiting_member(key); member && priority_of(member->pod) > priority)
      until = std::max(until, backoff_until(*member));
  if (until > Clock::now())
    for (const auto& key : woken_)
      if (QueuedPod* member = waiting_member(key); member && priority_of(member->pod) < priority) hold_until(key, until);
  pod.wake_up = wake_up_;
  woken_.push_back(pod.key);
  push_waiting(std::move(pod), until);
}

void SchedulingQueue::erase_everywhere(const std::string& key) {
  if (auto it = active_keys_.find(key); it != active_keys_.end()) {
    active_.erase(it->second);
    active_keys_.erase(it);
  }
  backoff_.erase(key);  // its entry in backoff_order_ is skipped when it comes up
  parked_.erase(key);
}

void SchedulingQueue::add_or_update(PodPtr pod) {
  std::string key = pod->metadata().namespace_() + "/" + pod->metadata().name();
  std::lock_guard lock(mutex_);
  if (closed_) return;
  if (auto it = in_flight_.find(key); it != in_flight_.end()) {
    it->second = std::move(pod);  // picked up when the attempt ends
    return;
  }
  if (auto it = active_keys_.find(key); it != active_keys_.end()) {
    active_.find(it->second)->second.pod = std::move(pod);
    return;
  }
  if (auto it = backoff_.find(key); it != backoff_.end()) {
    it->second.second.pod = std::move(pod);
    return;
  }
  QueuedPod queued;
  if (auto it = parked_.find(key); it != parked_.end()) {
    if (!changes_placement(*it->second.second.pod, *pod)) {  // e.g. our own status condition
      it->second.second.pod = std::move(pod);
      return;
    }
    queued = std::move(it->second.second);  // its spec or labels changed: worth another try now
    parked_.erase(it);
  } else {
    queued.key = key;
    queued.first_seen = Clock::now();
  }
  queued.pod = std::move(pod);
  push_active(std::move(queued));
}

void SchedulingQueue::remove(const std::string& key) {
  std::lock_guard lock(mutex_);
  erase_everywhere(key);
  if (auto it = in_flight_.find(key); it != in_flight_.end()) it->second = nullptr;  // gone: do not requeue
}

void SchedulingQueue::promote(Clock::time_point now) {
  while (!backoff_order_.empty() && backoff_order_.begin()->first <= now) {
    auto [until, key] = *backoff_order_.begin();
    backoff_order_.erase(backoff_order_.begin());
    auto it = backoff_.find(key);
    if (it == backoff_.end() || it->second.first != until) continue;  // removed or re-queued since
    QueuedPod pod = std::move(it->second.second);
    backoff_.erase(it);
    push_active(std::move(pod));
  }
  for (auto it = parked_.begin(); it != parked_.end();) {
    if (now - it->second.first >= options_.unschedulable_timeout) {
      QueuedPod pod = std::move(it->second.second);
      it = parked_.erase(it);
      push_active(std::move(pod));
    } else {
      ++it;
    }
  }
}

std::optional<QueuedPod> SchedulingQueue::pop(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  auto deadline = Clock::now() + wait;
  while (!closed_) {
    promote(Clock::now());
    if (!active_.empty()) {
      QueuedPod pod = std::move(active_.begin()->second);
      active_.erase(active_.begin());
      active_keys_.erase(pod.key);
      pod.attempts += 1;
      pod.popped_in_cycle = ++cycle_;
      pod.wake_up = 0;
      in_flight_[pod.key] = pod.pod;
      return pod;
    }
    auto until = deadline;
    if (!backoff_order_.empty()) until = std::min(until, backoff_order_.begin()->first);
    if (Clock::now() >= deadline) return std::nullopt;
    wake_.wait_until(lock, until);
  }
  return std::nullopt;
}

void SchedulingQueue::unschedulable(QueuedPod pod) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(pod.key);
  if (it == in_flight_.end()) return;
  PodPtr latest = it->second;
  in_flight_.erase(it);
  if (!latest || closed_) return;  // deleted meanwhile
  pod.last_failure = Clock::now();
  bool changed = latest != pod.pod && changes_placement(*pod.pod, *latest);
  pod.pod = std::move(latest);
  // The cluster or the pod changed while we were deciding: the answer may be stale.
  if (moved_in_cycle_ >= pod.popped_in_cycle) return join_wake_up(std::move(pod));
  if (changed) return push_backoff(std::move(pod));
  std::string key = pod.key;  // not pod.key in the same expression as the move
  parked_[key] = {Clock::now(), std::move(pod)};
}

void SchedulingQueue::retry(QueuedPod pod) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(pod.key);
  if (it != in_flight_.end()) {
    if (!it->second) {
      in_flight_.erase(it);
      return;
    }
    pod.pod = it->second;
    in_flight_.erase(it);
  }
  if (closed_) return;
  erase_everywhere(pod.key);
  pod.last_failure = Clock::now();
  pod.wake_up = 0;
  push_backoff(std::move(pod));
}

void SchedulingQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  in_flight_.erase(key);
}

void SchedulingQueue::cluster_changed() {
  std::lock_guard lock(mutex_);
  moved_in_cycle_ = cycle_;
  if (parked_.empty()) return;  // nobody to wake: an attempt under way joins the last wake-up
  std::vector<QueuedPod> pods;
  pods.reserve(parked_.size());
  for (auto& [key, entry] : parked_) pods.push_back(std::move(entry.second));
  parked_.clear();
  wake(std::move(pods));
}

void SchedulingQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  wake_.notify_all();
}

std::size_t SchedulingQueue::active_size() const {
  std::lock_guard lock(mutex_);
  return active_.size();
}

std::size_t SchedulingQueue::pending_size() const {
  std::lock_guard lock(mutex_);
  return active_.size() + backoff_.size() + parked_.size() + in_flight_.size();
}

}  // namespace skiff::sdk::scheduling
