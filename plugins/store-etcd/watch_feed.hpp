// The one etcd watch of a store-etcd instance: every change under the objects prefix, in
// revision order, from a start revision on — resumed after a broken stream from the next
// revision, so nothing is skipped. When etcd has compacted past the next revision the feed
// cannot resume: it reports the jump (`on_compacted`) and continues from the revision it is given.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "etcd_client.hpp"
#include "key_layout.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"

namespace spdlog {
class logger;
}

namespace skiff::store_etcd {

class WatchFeed {
 public:
  struct Handlers {
    // One etcd watch response's changes (whole revisions, in order).
    std::function<void(std::vector<sdk::StoreChange>)> on_changes;
    // etcd compacted past what the feed needed; returns the revision to continue after
    // (the handler re-reads the state at that revision).
    std::function<std::int64_t(std::int64_t compact_revision)> on_compacted;
  };

  // Watches every change after `after_revision`.
  WatchFeed(EtcdClient& client, const KeyLayout& layout, std::int64_t after_revision, Handlers handlers,
            spdlog::logger& log);
  ~WatchFeed();
  void stop();

  // Every change up to this revision has been handed to on_changes.
  std::int64_t applied() const;
  // Waits until applied() >= revision; false after `timeout`.
  bool wait_applied(std::int64_t revision, std::chrono::milliseconds timeout) const;

 private:
  void run();
  // One stream until it breaks (returns) or the feed stops.
  void watch_once();
  void handle(const etcdserverpb::WatchResponse& response);

  EtcdClient& client_;
  const KeyLayout& layout_;
  Handlers handlers_;
  spdlog::logger& log_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::int64_t applied_;
  bool stopping_ = false;
  grpc::ClientContext* stream_context_ = nullptr;  // the open stream's, to cancel it
  std::thread thread_;
};

}  // namespace skiff::store_etcd
