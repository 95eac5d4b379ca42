// The store contract on LMDB: reads straight from the ObjectStore, writes through the group
// commit, history from the WatchPublisher. serve_store() does the rest.
#pragma once

#include "object_store.hpp"
#include "skiff/sdk/store/store_service.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"
#include "write_batcher.hpp"

namespace skiff::store {

class LmdbStoreService final : public sdk::StoreService {
 public:
  LmdbStoreService(ObjectStore& store, sdk::WatchPublisher& watch, WriteBatcher& writes)
      : store_(store), watch_(watch), writes_(writes) {}

  v1::GetResponse get(const v1::ObjectKey& key) override { return store_.get(key); }
  v1::GetManyResponse get_many(const v1::GetManyRequest& request) override { return store_.get_many(request); }
  v1::ListResponse list(const v1::ListRequest& request) override { return store_.list(request); }
  v1::HistoryResponse history(const v1::HistoryRequest& request) override { return watch_.history(request); }
  v1::InfoResponse info() override { return store_.info(watch_.floor()); }
  void submit(v1::TxnRequest txn, TxnDone done) override { writes_.submit(std::move(txn), std::move(done)); }
  void submit_all(std::vector<std::pair<v1::TxnRequest, TxnDone>> txns) override { writes_.submit_all(std::move(txns)); }

 private:
  ObjectStore& store_;
  sdk::WatchPublisher& watch_;
  WriteBatcher& writes_;
};

}  // namespace skiff::store
