// Watch subjects are skiff.<c>.watch.<group>.<kind>; each batch carries the revision of the
// resource's previous event so that watchers can tell a gap from an unrelated revision.
#include "watch_hub.hpp"

#include <algorithm>

#include "skiff/sdk/resources.hpp"

namespace skiff::store {

WatchHub::WatchHub(sdk::Bus& bus, sdk::Subjects subjects, std::size_t history_length, std::int64_t start_revision,
                   std::map<std::string, std::int64_t> last_by_resource)
    : bus_(bus),
      subjects_(std::move(subjects)),
      history_length_(history_length),
      floor_(start_revision),
      published_(start_revision),
      last_by_resource_(std::move(last_by_resource)) {}

void WatchHub::publish(const std::vector<Change>& changes) {
  std::map<std::string, v1::WatchBatch> batches;
  {
    std::lock_guard lock(mutex_);
    for (const auto& change : changes) {
      auto [it, fresh] = batches.try_emplace(change.resource);
      if (fresh) {
        it->second.set_resource(change.resource);
        it->second.set_prev_revision(last_by_resource_[change.resource]);
      }
      *it->second.add_events() = change.event;
      history_.push_back(change);
    }
    for (const auto& [resource, batch] : batches) {
      last_by_resource_[resource] = batch.events(batch.events_size() - 1).revision();
      published_ = std::max(published_, last_by_resource_[resource]);
    }
    while (history_.size() > history_length_) {
      floor_ = history_.front().event.revision();
      history_.pop_front();
    }
  }
  for (const auto& [resource, batch] : batches) {
    const sdk::ResourceType* type = sdk::find_resource(resource);
    if (!type) continue;
    try {
      bus_.publish(subjects_.watch(type->group, type->kind), batch.SerializeAsString());
    } catch (const sdk::Error&) {
      // The bus is down: watchers see the gap (prev_revision) and catch up from the history.
    }
  }
}

v1::HistoryResponse WatchHub::history(const v1::HistoryRequest& request) const {
  std::lock_guard lock(mutex_);
  v1::HistoryResponse response;
  // What has been published, not what has been committed: a watcher that continues from
  // this revision must already have every event up to it.
  response.set_revision(published_);
  if (request.since_revision() < floor_) {
    auto last = last_by_resource_.find(request.resource());
    std::int64_t last_change = last == last_by_resource_.end() ? 0 : last->second;
    if (last_change > request.since_revision())
      throw sdk::Error(sdk::Status::Gone("too old resource version: " + std::to_string(request.since_revision()) +
                                         " (history starts after " + std::to_string(floor_) + ")"));
  }
  for (const auto& change : history_)
    if (change.resource == request.resource() && change.event.revision() > request.since_revision())
      *response.add_events() = change.event;
  return response;
}

std::int64_t WatchHub::floor() const {
  std::lock_guard lock(mutex_);
  return floor_;
}

}  // namespace skiff::store
