// Each resource keeps the revision of its last event; a batch whose previous revision is
// newer means a missed bus message, filled from the store's history before going on.
#include "watch_fanout.hpp"

#include <algorithm>

#include "api_error.hpp"
#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::apiserver {

// ---- Watcher ----

void Watcher::deliver(const WatchEvent& event) {
  std::lock_guard lock(mutex_);
  if (event.revision <= floor_) return;
  const auto& meta = sdk::meta_of(*event.object);
  std::string key = sdk::object_cache_key(*event.object);
  bool in_namespace = filter_.namespace_.empty() || meta.namespace_() == filter_.namespace_;
  bool matches = in_namespace && filter_.labels.matches(meta.labels()) && filter_.fields.matches(*event.object);
  bool filtered = !filter_.labels.empty() || !filter_.fields.empty();
  WatchEvent out = event;
  if (event.type == "DELETED") {
    if (!matches && !selected_.count(key)) return;
    selected_.erase(key);
  } else if (matches) {
    if (filtered && !selected_.count(key)) out.type = "ADDED";  // entered the selection
    if (filtered) selected_.insert(key);
  } else {
    if (!selected_.count(key)) return;
    selected_.erase(key);
    out.type = "DELETED";  // left the selection
  }
  last_ = event.revision;
  queue_.push_back(std::move(out));
  ready_.notify_one();
}

void Watcher::fail(const std::string& message) {
  std::lock_guard lock(mutex_);
  failed_ = message;
  ready_.notify_one();
}

std::optional<WatchEvent> Watcher::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [&] { return !queue_.empty() || failed_; });
  if (!queue_.empty()) {
    WatchEvent event = std::move(queue_.front());
    queue_.pop_front();
    return event;
  }
  if (failed_) throw ApiError(sdk::Status::Gone(*failed_));
  return std::nullopt;
}

std::int64_t Watcher::last_revision() const {
  std::lock_guard lock(mutex_);
  return last_;
}

// ---- WatchFanout ----

struct WatchFanout::Resource {
  const sdk::ResourceType* type;
  std::mutex mutex;  // guards watchers and last_revision; held while delivering, so order holds
  std::vector<std::shared_ptr<Watcher>> watchers;
  std::int64_t last_revision = 0;
  bool caught_up = false;  // last_revision is known
  sdk::Subscription subscription;
};

WatchFanout::WatchFanout(sdk::Bus& bus, sdk::Subjects subjects, sdk::StoreClient& store, ApiCore& api,
                         sdk::Gauge* open_watches)
    : bus_(bus), subjects_(std::move(subjects)), store_(store), api_(api), open_watches_(open_watches) {}

WatchFanout::~WatchFanout() {
  std::lock_guard lock(mutex_);
  for (auto& [name, resource] : resources_) resource->subscription.cancel();
}

WatchFanout::Resource& WatchFanout::resource(const sdk::ResourceType& type) {
  std::lock_guard lock(mutex_);
  auto& slot = resources_[type.resource()];
  if (!slot) {
    slot = std::make_unique<Resource>();
    slot->type = &type;
    Resource* r = slot.get();
    r->subscription = bus_.subscribe(subjects_.watch(type.group, type.kind), [this, r](const sdk::Message& message) {
      store::v1::WatchBatch batch;
      if (batch.ParseFromString(message.data)) on_batch(*r, batch);
    });
  }
  return *slot;
}

void WatchFanout::on_batch(Resource& r, const store::v1::WatchBatch& batch) {
  std::lock_guard lock(r.mutex);
  std::vector<store::v1::WatchEvent> events;
  if (r.caught_up && batch.prev_revision() > r.last_revision) {
    // A batch went missing on the bus: fetch what we lost before delivering this one.
    try {
      std::int64_t since = r.last_revision;
      store::v1::HistoryResponse history;
      do {
        history = store_.history(r.type->resource(), since);
        events.insert(events.end(), history.events().begin(), history.events().end());
        since = history.revision();
      } while (history.truncated());
    } catch (const sdk::Error& e) {
      for (auto& w : r.watchers) w->fail("the watch fell behind: " + std::string(e.what()));
      r.watchers.clear();
    }
  }
  events.insert(events.end(), batch.events().begin(), batch.events().end());
  for (const auto& e : events) {
    if (r.caught_up && e.revision() <= r.last_revision) continue;
    MessagePtr object(r.type->new_object().release());
    if (!object->ParseFromString(e.object())) continue;
    WatchEvent event{e.type(), object, e.revision()};
    for (auto& w : r.watchers) w->deliver(event);
    r.last_revision = e.revision();
  }
  r.caught_up = true;
}

std::shared_ptr<Watcher> WatchFanout::watch(const sdk::ResourceType& type, WatchFilter filter, const std::string& since) {
  Resource& r = resource(type);
  auto watcher = std::make_shared<Watcher>(filter);
  bool from_list = since.empty() || since == "0";
  std::vector<WatchEvent> initial;
  std::int64_t start = 0;
  if (from_list) {
    ListQuery query;
    query.namespace_ = filter.namespace_;
    query.label_selector = filter.labels.to_string();
    ListResult listed = api_.list(type, query);
    start = std::stoll(listed.resource_version);
    for (auto& object : listed.items)
      if (filter.fields.matches(*object)) initial.push_back({"ADDED", object, start});
  } else {
    try {
      start = std::stoll(since);
    } catch (const std::exception&) {
      throw ApiError(sdk::Status::BadRequest("resourceVersion \"" + since + "\" is not a valid resource version"));
    }
  }
  // History from `start`, registered under the resource's lock so no live batch slips between.
  std::lock_guard lock(r.mutex);
  // From a list: what changed while we listed. From a revision: everything after it.
  std::vector<store::v1::WatchEvent> missed;
  std::int64_t covered = start;
  try {
    store::v1::HistoryResponse page;
    do {
      page = store_.history(type.resource(), covered);
      missed.insert(missed.end(), page.events().begin(), page.events().end());
      covered = std::max(covered, page.revision());
    } while (page.truncated());
  } catch (const sdk::Error& e) {
    if (e.status().code == 410) throw ApiError(sdk::Status::Gone("too old resource version: " + since));
    throw;
  }
  {
    std::lock_guard wl(watcher->mutex_);
    for (auto& e : initial) {
      watcher->queue_.push_back(e);
      if (!filter.labels.empty() || !filter.fields.empty()) watcher->selected_.insert(sdk::object_cache_key(*e.object));
    }
    watcher->floor_ = start;
    watcher->last_ = start;
  }
  for (const auto& e : missed) {
    MessagePtr object(type.new_object().release());
    if (object->ParseFromString(e.object())) watcher->deliver({e.type(), object, e.revision()});
  }
  // Everything published up to `covered` was in the history: live copies are duplicates.
  {
    std::lock_guard wl(watcher->mutex_);
    watcher->floor_ = std::max({watcher->last_, covered, start, r.caught_up ? r.last_revision : 0});
  }
  r.watchers.push_back(watcher);
  if (open_watches_) open_watches_->add(1);
  return watcher;
}

void WatchFanout::unwatch(const sdk::ResourceType& type, const std::shared_ptr<Watcher>& watcher) {
  Resource& r = resource(type);
  std::lock_guard lock(r.mutex);
  auto gone = std::remove(r.watchers.begin(), r.watchers.end(), watcher);
  if (open_watches_) open_watches_->add(-static_cast<double>(r.watchers.end() - gone));
  r.watchers.erase(gone, r.watchers.end());
}

std::size_t WatchFanout::watchers() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [name, r] : resources_) {
    std::lock_guard rl(r->mutex);
    count += r->watchers.size();
  }
  return count;
}

}  // namespace skiff::apiserver
