// The watch half of store-etcd: the instance's etcd watch (WatchFeed) feeds a WatchPublisher;
// the instance elected publisher (PublisherElection) publishes on the bus, the others only keep
// the history, ready to take over. The publisher announces what it has published on
// skiff.<c>.store.published each round; a standby that takes over publishes again everything
// after the last announcement it heard, so a publisher's death loses no event (watchers drop
// the ones they have). The publisher also compacts etcd on a schedule.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "etcd_client.hpp"
#include "key_layout.hpp"
#include "publisher_election.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"
#include "skiff/sdk/subjects.hpp"
#include "watch_feed.hpp"

namespace skiff::store_etcd {

struct RelaySettings {
  std::size_t history_length = 10000;
  std::chrono::seconds lease_ttl{3};
  std::chrono::milliseconds compaction_interval{std::chrono::minutes(5)};  // 0: never
  std::string identity;  // this instance, in the publisher key
};

class WatchRelay {
 public:
  WatchRelay(EtcdClient& client, const KeyLayout& layout, sdk::Bus& bus, const sdk::Subjects& subjects,
             RelaySettings settings, spdlog::logger& log);
  ~WatchRelay();
  void stop();

  // A resource's events after a revision: waits (briefly) until this instance has seen every
  // change etcd has committed; 410 when etcd or the history no longer reaches back that far.
  store::v1::HistoryResponse history(const store::v1::HistoryRequest& request);
  std::int64_t latest_change();  // the revision of the last change to any object (linearizable)
  std::int64_t floor() const { return publisher_->floor(); }
  bool publishing() const {
    std::lock_guard lock(role_mutex_);
    return publishing_;
  }

 private:
  // Each resource's last change and etcd's revision, read together.
  std::pair<std::int64_t, std::map<std::string, std::int64_t>> read_markers();
  void on_changes(const std::vector<sdk::StoreChange>& changes);
  std::int64_t on_compacted();
  void on_round(bool leading);
  void on_elected();
  void on_deposed();
  void on_announcement(const sdk::Message& message);
  void stand_in_if_silent();
  void compact_if_due();
  void ensure_reaches(const store::v1::HistoryRequest& request);

  EtcdClient& client_;
  const KeyLayout& layout_;
  sdk::Bus& bus_;
  sdk::Subjects subjects_;
  RelaySettings settings_;
  spdlog::logger& log_;
  std::unique_ptr<sdk::WatchPublisher> publisher_;
  // Who publishes: the elected instance, or a standby standing in for a silent one.
  static constexpr std::chrono::milliseconds kPublisherSilence{1500};  // three announcements missed
  mutable std::mutex role_mutex_;
  bool leading_ = false;
  bool standing_in_ = false;
  bool publishing_ = false;
  std::int64_t heard_published_ = 0;  // the last announcement of another publisher
  std::chrono::steady_clock::time_point heard_at_;
  sdk::Subscription announcements_;
  std::unique_ptr<WatchFeed> feed_;
  std::unique_ptr<PublisherElection> election_;
  std::chrono::steady_clock::time_point next_compaction_;
  std::int64_t compact_to_ = 0;  // the revision seen one interval ago
};

}  // namespace skiff::store_etcd
