// The store contract (skiff.store.v1): what a store plugin implements — revisioned objects,
// all-or-nothing transactions, a watch history. serve_store() (serve_store.hpp) puts it on
// the bus; StoreClient (store_client.hpp) is the caller's side; WatchPublisher
// (watch_publisher.hpp) publishes committed changes the way every watcher expects.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::sdk {

inline constexpr const char* kStoreCapability = capability::kStore;

// Every method may be called concurrently (reads from several workers, writes from the
// bus's threads); throw Error with the status the caller should see (404, 409 Conflict on a
// failed compare-and-swap, 410 Expired for history that is gone, 413, 507 …).
class StoreService {
 public:
  // Called once per transaction when it is durable — or failed, then nothing of it is
  // stored — from any thread.
  using TxnDone = std::function<void(const Status& status, store::v1::TxnResponse response)>;

  virtual ~StoreService() = default;

  virtual store::v1::GetResponse get(const store::v1::ObjectKey& key) = 0;
  virtual store::v1::GetManyResponse get_many(const store::v1::GetManyRequest& request) = 0;
  // A page of a resource's objects (selectors, limit, continue); every reply must fit a bus
  // message, so a page may stop early with a continue token.
  virtual store::v1::ListResponse list(const store::v1::ListRequest& request) = 0;
  // A resource's events after a revision (WatchPublisher::history answers it for stores that
  // keep their history in memory).
  virtual store::v1::HistoryResponse history(const store::v1::HistoryRequest& request) = 0;
  virtual store::v1::InfoResponse info() = 0;

  // Conditions and writes, all or nothing, at one new revision; single creates, updates and
  // deletes arrive here as one-operation transactions.
  virtual void submit(store::v1::TxnRequest txn, TxnDone done) = 0;
  // Independent transactions that arrived together (a batch request): each succeeds or fails
  // on its own. The default submits them one by one; a store with group commit lands them
  // in one commit.
  virtual void submit_all(std::vector<std::pair<store::v1::TxnRequest, TxnDone>> txns) {
    for (auto& [txn, done] : txns) submit(std::move(txn), std::move(done));
  }
};

}  // namespace skiff::sdk
