// One handler per store op. Several subscriptions in one queue group give reads parallelism;
// writes only enqueue, and are answered from the writer thread once durable.
#include "store_service.hpp"

#include <mutex>

#include "skiff/sdk/bus_proto.hpp"

namespace skiff::store {
namespace {

// Wraps a single write as a one-operation transaction; the reply is its WriteResponse.
template <class Request>
void submit_single(WriteBatcher& writes, const sdk::Request& incoming, Request* (v1::Operation::*mutable_op)()) {
  Request parsed;
  if (!parsed.ParseFromString(incoming.data())) {
    incoming.fail(sdk::Status::BadRequest("malformed " + std::string(Request::descriptor()->full_name())));
    return;
  }
  v1::TxnRequest txn;
  *(txn.add_operations()->*mutable_op)() = std::move(parsed);
  writes.submit(std::move(txn), [incoming](const sdk::Status& status, v1::TxnResponse response) {
    if (!status.ok()) return incoming.fail(status);
    incoming.reply(response.results(0).SerializeAsString());
  });
}

}  // namespace

StoreService::StoreService(sdk::Bus& bus, const sdk::Subjects& subjects, ObjectStore& store, WatchHub& hub,
                           WriteBatcher& writes, int read_workers) {
  const std::string reads = "store-read";
  for (int i = 0; i < std::max(1, read_workers); ++i) {
    subscriptions_.push_back(sdk::serve_proto<v1::GetRequest>(
        bus, subjects.store("get"), reads, [&store](const v1::GetRequest& r, const sdk::Request&) { return store.get(r.key()); }));
    subscriptions_.push_back(sdk::serve_proto<v1::GetManyRequest>(
        bus, subjects.store("getmany"), reads,
        [&store](const v1::GetManyRequest& r, const sdk::Request&) { return store.get_many(r); }));
    subscriptions_.push_back(sdk::serve_proto<v1::ListRequest>(
        bus, subjects.store("list"), reads, [&store](const v1::ListRequest& r, const sdk::Request&) { return store.list(r); }));
    subscriptions_.push_back(sdk::serve_proto<v1::HistoryRequest>(
        bus, subjects.store("history"), reads,
        [&hub](const v1::HistoryRequest& r, const sdk::Request&) { return hub.history(r); }));
  }
  subscriptions_.push_back(sdk::serve_proto<v1::InfoRequest>(
      bus, subjects.store("info"), reads,
      [&store, &hub](const v1::InfoRequest&, const sdk::Request&) { return store.info(hub.floor()); }));

  const std::string write_group = "store-write";
  subscriptions_.push_back(bus.serve(subjects.store("create"), write_group, [&writes](sdk::Request r) {
    submit_single<v1::CreateRequest>(writes, r, &v1::Operation::mutable_create);
  }));
  subscriptions_.push_back(bus.serve(subjects.store("update"), write_group, [&writes](sdk::Request r) {
    submit_single<v1::UpdateRequest>(writes, r, &v1::Operation::mutable_update);
  }));
  subscriptions_.push_back(bus.serve(subjects.store("delete"), write_group, [&writes](sdk::Request r) {
    submit_single<v1::DeleteRequest>(writes, r, &v1::Operation::mutable_delete_);
  }));
  subscriptions_.push_back(bus.serve(subjects.store("batch"), write_group, [&writes](sdk::Request r) {
    v1::BatchRequest batch;
    if (!batch.ParseFromString(r.data())) return r.fail(sdk::Status::BadRequest("malformed skiff.store.v1.BatchRequest"));
    if (batch.transactions().empty()) return r.reply(v1::BatchResponse().SerializeAsString());
    // Answered once the last transaction of the batch is done (they share one commit, usually).
    struct Collector {
      std::mutex mutex;
      v1::BatchResponse response;
      int left;
    };
    auto collector = std::make_shared<Collector>();
    collector->left = batch.transactions_size();
    for (int i = 0; i < batch.transactions_size(); ++i) collector->response.add_results();
    std::vector<std::pair<v1::TxnRequest, WriteBatcher::Done>> items;
    for (int i = 0; i < batch.transactions_size(); ++i) {
      items.emplace_back(std::move(*batch.mutable_transactions(i)),
                         [r, collector, i](const sdk::Status& status, v1::TxnResponse response) {
                           std::lock_guard lock(collector->mutex);
                           v1::BatchResult* result = collector->response.mutable_results(i);
                           result->set_code(status.code);
                           result->set_reason(status.reason);
                           result->set_message(status.message);
                           *result->mutable_response() = std::move(response);
                           if (--collector->left == 0) r.reply(collector->response.SerializeAsString());
                         });
    }
    writes.submit_all(std::move(items));
  }));
  subscriptions_.push_back(bus.serve(subjects.store("txn"), write_group, [&writes](sdk::Request r) {
    v1::TxnRequest txn;
    if (!txn.ParseFromString(r.data())) return r.fail(sdk::Status::BadRequest("malformed skiff.store.v1.TxnRequest"));
    writes.submit(std::move(txn), [r](const sdk::Status& status, v1::TxnResponse response) {
      if (!status.ok()) return r.fail(status);
      r.reply(response.SerializeAsString());
    });
  }));
}

void StoreService::stop() { subscriptions_.clear(); }

}  // namespace skiff::store
