// Publishes committed changes as watch batches, and keeps a bounded history to resume from.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "object_store.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::store {

class WatchHub {
 public:
  // start_revision: the store's revision at start (history covers only what comes after).
  // last_by_resource: each resource's last change, so watch chains continue across restarts.
  WatchHub(sdk::Bus& bus, sdk::Subjects subjects, std::size_t history_length, std::int64_t start_revision,
           std::map<std::string, std::int64_t> last_by_resource);

  // One WatchBatch per resource touched by the commit, in revision order.
  void publish(const std::vector<Change>& changes);
  // Events of a resource after since_revision; throws Error(410) when the history no longer
  // reaches back that far and something happened to the resource since.
  v1::HistoryResponse history(const v1::HistoryRequest& request) const;
  std::int64_t floor() const;

 private:
  sdk::Bus& bus_;
  sdk::Subjects subjects_;
  std::size_t history_length_;
  mutable std::mutex mutex_;
  std::deque<Change> history_;
  std::int64_t floor_;      // revisions <= floor_ have left the history
  std::int64_t published_;  // every event up to here has been published
  std::map<std::string, std::int64_t> last_by_resource_;
};

}  // namespace skiff::store
