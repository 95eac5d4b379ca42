// Watch subjects are skiff.<c>.watch.<group>.<kind>; each batch carries the revision of the
// resource's previous event so that watchers can tell a gap from an unrelated revision.
#include "skiff/sdk/store/watch_publisher.hpp"

#include <algorithm>

#include "skiff/sdk/custom_resource_types.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::sdk {

namespace v1 = store::v1;

// Under NATS' default 1 MiB message limit, with room for the envelope.
constexpr std::size_t kMaxBatchBytes = 768 * 1024;

WatchPublisher::WatchPublisher(Bus& bus, Subjects subjects, std::size_t history_length, std::int64_t start_revision,
                   std::map<std::string, std::int64_t> last_by_resource)
    : bus_(bus),
      subjects_(std::move(subjects)),
      history_length_(history_length),
      floor_(start_revision),
      published_(start_revision),
      last_by_resource_(std::move(last_by_resource)) {}

namespace {

// Adds a change to the per-resource batches being cut, each fitting a bus message and naming
// the revision of its resource's previous event.
void add_to_batches(const StoreChange& change, std::int64_t prev_revision, std::vector<v1::WatchBatch>& batches,
                    std::map<std::string, std::size_t>& open, std::map<std::string, std::size_t>& sizes) {
  auto it = open.find(change.resource);
  std::size_t event_size = change.event.object().size() + 32;
  if (it != open.end() && sizes[change.resource] + event_size > kMaxBatchBytes) open.erase(it), it = open.end();
  if (it == open.end()) {
    v1::WatchBatch batch;
    batch.set_resource(change.resource);
    batch.set_prev_revision(prev_revision);
    batches.push_back(std::move(batch));
    it = open.emplace(change.resource, batches.size() - 1).first;
    sizes[change.resource] = 0;
  }
  *batches[it->second].add_events() = change.event;
  sizes[change.resource] += event_size;
}

}  // namespace

void WatchPublisher::append_locked(const std::vector<StoreChange>& changes, std::vector<v1::WatchBatch>* batches) {
  std::map<std::string, std::size_t> open;  // resource → index of its batch being filled
  std::map<std::string, std::size_t> sizes;
  for (const auto& change : changes) {
    if (batches) add_to_batches(change, last_by_resource_[change.resource], *batches, open, sizes);
    last_by_resource_[change.resource] = change.event.revision();
    published_ = std::max(published_, change.event.revision());
    history_.push_back(change);
  }
  while (history_.size() > history_length_) {
    floor_ = history_.front().event.revision();
    history_.pop_front();
  }
}

void WatchPublisher::send(const std::vector<v1::WatchBatch>& batches) {
  for (const auto& batch : batches) {
    const ResourceType* type = find_resource_or_custom(batch.resource());
    if (!type) continue;
    try {
      bus_.publish(subjects_.watch(type->group, type->kind), batch.SerializeAsString());
    } catch (const Error&) {
      // The bus is down: watchers see the gap (prev_revision) and catch up from the history.
    }
  }
}

void WatchPublisher::publish(const std::vector<StoreChange>& changes) {
  std::vector<v1::WatchBatch> batches;
  {
    std::lock_guard lock(mutex_);
    append_locked(changes, &batches);
  }
  send(batches);
}

void WatchPublisher::record(const std::vector<StoreChange>& changes) {
  std::lock_guard lock(mutex_);
  append_locked(changes, nullptr);
}

void WatchPublisher::republish_after(std::int64_t revision) {
  std::vector<v1::WatchBatch> batches;
  {
    std::lock_guard lock(mutex_);
    // Each resource's chain: its last event at or before `revision` in the history, else the
    // floor (a watcher past the floor has everything of it up to there).
    std::map<std::string, std::int64_t> last;
    std::map<std::string, std::size_t> open, sizes;
    for (const auto& change : history_) {
      auto [it, fresh] = last.try_emplace(change.resource, floor_);
      if (change.event.revision() > revision) add_to_batches(change, it->second, batches, open, sizes);
      it->second = change.event.revision();
    }
  }
  send(batches);
}

std::int64_t WatchPublisher::published() const {
  std::lock_guard lock(mutex_);
  return published_;
}

void WatchPublisher::reset(std::int64_t revision, std::map<std::string, std::int64_t> last_by_resource) {
  std::lock_guard lock(mutex_);
  history_.clear();
  floor_ = revision;
  published_ = revision;
  last_by_resource_ = std::move(last_by_resource);
}

v1::HistoryResponse WatchPublisher::history(const v1::HistoryRequest& request) const {
  std::lock_guard lock(mutex_);
  v1::HistoryResponse response;
  // What has been published, not what has been committed: a watcher that continues from
  // this revision must already have every event up to it.
  response.set_revision(published_);
  if (request.since_revision() < floor_) {
    auto last = last_by_resource_.find(request.resource());
    std::int64_t last_change = last == last_by_resource_.end() ? 0 : last->second;
    if (last_change > request.since_revision())
      throw Error(Status::Gone("too old resource version: " + std::to_string(request.since_revision()) +
                                         " (history starts after " + std::to_string(floor_) + ")"));
  }
  std::size_t bytes = 0;
  for (const auto& change : history_) {
    if (change.resource != request.resource() || change.event.revision() <= request.since_revision()) continue;
    if (bytes > 0 && bytes + change.event.object().size() > kMaxBatchBytes) {
      // Too much for one reply: up to the last included event, and the caller asks again.
      response.set_revision(response.events(response.events_size() - 1).revision());
      response.set_truncated(true);
      break;
    }
    bytes += change.event.object().size() + 32;
    *response.add_events() = change.event;
  }
  return response;
}

std::int64_t WatchPublisher::floor() const {
  std::lock_guard lock(mutex_);
  return floor_;
}

}  // namespace skiff::sdk
