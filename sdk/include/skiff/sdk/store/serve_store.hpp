// Puts a StoreService on the bus (skiff.<c>.store.<op>): request parsing, the read workers'
// queue group, single writes as transactions, batches answered once their last result is in.
#pragma once

#include <memory>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/context.hpp"
#include "skiff/sdk/store/store_service.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::sdk {

struct StoreServeOptions {
  int read_workers = 2;  // get, getmany, list and history handled at once
};

// Serves while it lives; destroy (or stop()) it before the service. Stopping cancels the
// subscriptions and returns when no handler runs; writes already submitted are the
// service's to finish.
class StoreServer {
 public:
  StoreServer(Bus& bus, const Subjects& subjects, StoreService& service, StoreServeOptions options);
  ~StoreServer();
  StoreServer(const StoreServer&) = delete;
  StoreServer& operator=(const StoreServer&) = delete;
  void stop();

 private:
  std::vector<Subscription> subscriptions_;
};

std::unique_ptr<StoreServer> serve_store(Context& context, StoreService& service, StoreServeOptions options);

}  // namespace skiff::sdk
