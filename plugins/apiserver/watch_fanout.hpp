// One store watch subscription per resource, fanned out to every HTTP or bus watcher of it.
// A watcher starts from a revision (history first) or from a list, sees each change once, in
// order, filtered by its namespace and selectors — and gets DELETED when an object stops
// matching them, as Kubernetes watches do.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "api_core.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/store_client.hpp"

namespace skiff::apiserver {

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED
  MessagePtr object;
  std::int64_t revision = 0;
};

struct WatchFilter {
  std::string namespace_;
  sdk::LabelSelector labels;
  sdk::FieldSelector fields;
};

class Watcher {
 public:
  explicit Watcher(WatchFilter filter) : filter_(std::move(filter)) {}
  // The next event, or nullopt after `timeout`. Throws ApiError(410) if the watch fell behind
  // the store's history (the client must list again).
  std::optional<WatchEvent> next(std::chrono::milliseconds timeout);
  std::int64_t last_revision() const;

 private:
  friend class WatchFanout;
  void deliver(const WatchEvent& event);  // applies the filter
  void fail(const std::string& message);

  WatchFilter filter_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<WatchEvent> queue_;
  std::set<std::string> selected_;  // keys currently inside the filter (for selector transitions)
  std::int64_t floor_ = 0;           // events at or below this revision were already seen
  std::int64_t last_ = 0;
  std::optional<std::string> failed_;
};

class WatchFanout {
 public:
  // open_watches (optional) follows the number of watchers.
  WatchFanout(sdk::Bus& bus, sdk::Subjects subjects, sdk::StoreClient& store, ApiCore& api,
              sdk::Gauge* open_watches = nullptr);
  ~WatchFanout();

  // since: a resourceVersion to continue after, or empty/"0" to start with ADDED events for
  // everything that matches now. Throws ApiError(410) when `since` is compacted.
  std::shared_ptr<Watcher> watch(const sdk::ResourceType& type, WatchFilter filter, const std::string& since);
  void unwatch(const sdk::ResourceType& type, const std::shared_ptr<Watcher>& watcher);
  std::size_t watchers() const;

 private:
  struct Resource;
  Resource& resource(const sdk::ResourceType& type);
  void on_batch(Resource& resource, const store::v1::WatchBatch& batch);

  sdk::Bus& bus_;
  sdk::Subjects subjects_;
  sdk::StoreClient& store_;
  ApiCore& api_;
  sdk::Gauge* open_watches_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Resource>> resources_;
};

}  // namespace skiff::apiserver
