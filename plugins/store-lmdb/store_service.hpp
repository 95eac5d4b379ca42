// Serves skiff.<c>.store.<op> on the bus: reads in a queue group of workers, writes through the batcher.
#pragma once

#include <vector>

#include "object_store.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"
#include "watch_hub.hpp"
#include "write_batcher.hpp"

namespace skiff::store {

class StoreService {
 public:
  StoreService(sdk::Bus& bus, const sdk::Subjects& subjects, ObjectStore& store, WatchHub& hub, WriteBatcher& writes,
               int read_workers);
  void stop();  // cancels every subscription; returns when no handler runs

 private:
  std::vector<sdk::Subscription> subscriptions_;
};

}  // namespace skiff::store
