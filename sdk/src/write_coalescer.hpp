// Coalesces concurrent store writes from many threads into batch requests: while a batch is
// on its way, new writes queue up and leave together in the next one (the client half of
// the store's group commit).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "leader_combiner.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::sdk::detail {

class WriteCoalescer {
 public:
  // Enough batches in flight that the store's group commit always has the next writes
  // queued while it syncs the previous ones.
  WriteCoalescer(Bus& bus, std::string subject, std::chrono::milliseconds timeout, std::size_t max_batch = 256,
                 int max_in_flight = 8);
  // Blocks for this transaction's own result; throws Error with its status.
  store::v1::TxnResponse run(store::v1::TxnRequest request);

 private:
  struct Slot {
    store::v1::TxnRequest request;
    bool done = false;
    Status status;
    store::v1::TxnResponse response;
  };
  void send(std::vector<std::shared_ptr<Slot>>& batch);

  Bus& bus_;
  std::string subject_;
  std::chrono::milliseconds timeout_;
  std::size_t max_batch_;
  LeaderCombiner<Slot> combiner_;
};

}  // namespace skiff::sdk::detail
