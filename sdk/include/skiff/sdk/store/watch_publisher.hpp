// Publishes a store's committed changes as watch batches on skiff.<c>.watch.<group>.<kind>
// and keeps a bounded history to resume from: the watch half of the store contract, for any
// store that keeps its history in memory.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::sdk {

// One change a commit made.
struct StoreChange {
  std::string resource;  // "pods", "deployments.apps" …
  store::v1::WatchEvent event;
};

class WatchPublisher {
 public:
  // start_revision: the store's revision at start (the history covers only what comes after).
  // last_by_resource: each resource's last change, so watch chains continue across restarts.
  WatchPublisher(Bus& bus, Subjects subjects, std::size_t history_length, std::int64_t start_revision,
                 std::map<std::string, std::int64_t> last_by_resource);

  // Call once per commit, commits in revision order: one WatchBatch per resource touched
  // (split to fit a bus message), each carrying prev_revision — the revision of that
  // resource's previous event — so a watcher tells a gap from an unrelated revision.
  void publish(const std::vector<StoreChange>& changes);
  // Keeps the changes in the history and the chains without publishing them: a standby
  // instance of a replicated store, ready to take over publishing (republish_after).
  void record(const std::vector<StoreChange>& changes);
  // Publishes again every change in the history after `revision` (what a publisher that died
  // may not have sent); watchers drop the events they already have.
  void republish_after(std::int64_t revision);
  // A resource's events after since_revision; throws Error(410) when the history no longer
  // reaches back that far and the resource changed since.
  store::v1::HistoryResponse history(const store::v1::HistoryRequest& request) const;
  std::int64_t floor() const;  // the history covers revisions after this one
  std::int64_t published() const;  // every change up to this revision is in the history
  // Starts over after a gap (the store's own change feed was compacted away): the history
  // restarts after `revision`, each resource's chain continues from `last_by_resource`.
  void reset(std::int64_t revision, std::map<std::string, std::int64_t> last_by_resource);

 private:
  // Adds the changes to the history; with `batches`, also cuts them into WatchBatches.
  void append_locked(const std::vector<StoreChange>& changes, std::vector<store::v1::WatchBatch>* batches);
  void send(const std::vector<store::v1::WatchBatch>& batches);

  Bus& bus_;
  Subjects subjects_;
  std::size_t history_length_;
  mutable std::mutex mutex_;
  std::deque<StoreChange> history_;
  std::int64_t floor_;
  std::int64_t published_;  // every event up to here has been published
  std::map<std::string, std::int64_t> last_by_resource_;
};

}  // namespace skiff::sdk
