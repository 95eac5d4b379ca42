// The store contract on etcd: reads are linearizable etcd Ranges (lists page at one revision,
// as Kubernetes' etcd3 storage does), each transaction is one etcd Txn at one etcd revision
// (Skiff's revision *is* etcd's), history comes from the watch relay.
#pragma once

#include "etcd_client.hpp"
#include "key_layout.hpp"
#include "skiff/sdk/store/store_service.hpp"
#include "watch_relay.hpp"

namespace skiff::store_etcd {

class EtcdStoreService final : public sdk::StoreService {
 public:
  EtcdStoreService(EtcdClient& client, const KeyLayout& layout, WatchRelay& relay)
      : client_(client), layout_(layout), relay_(relay) {}

  store::v1::GetResponse get(const store::v1::ObjectKey& key) override;
  store::v1::GetManyResponse get_many(const store::v1::GetManyRequest& request) override;
  store::v1::ListResponse list(const store::v1::ListRequest& request) override;
  store::v1::HistoryResponse history(const store::v1::HistoryRequest& request) override;
  store::v1::InfoResponse info() override;
  void submit(store::v1::TxnRequest txn, TxnDone done) override;

 private:
  // Reads what the transaction depends on, sends it, and on a lost race (a revision read
  // beforehand moved) tries again, at most `attempts_left` more times.
  void attempt(std::shared_ptr<const store::v1::TxnRequest> txn, TxnDone done, int attempts_left);

  EtcdClient& client_;
  const KeyLayout& layout_;
  WatchRelay& relay_;
};

}  // namespace skiff::store_etcd
