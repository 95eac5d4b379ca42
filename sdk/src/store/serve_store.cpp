// The bus side of the store contract. Reads: several subscriptions in one queue group give
// them parallelism. Writes only hand over to the service, and are answered once durable.
#include "skiff/sdk/store/serve_store.hpp"

#include <mutex>

#include "skiff/sdk/bus_proto.hpp"

namespace skiff::sdk {

namespace v1 = store::v1;

namespace {

template <class Message>
bool parse(const Request& request, Message& message) {
  if (message.ParseFromString(request.data())) return true;
  request.fail(Status::BadRequest("malformed " + std::string(Message::descriptor()->full_name())));
  return false;
}

// A single create, update or delete is a one-operation transaction; its reply is the result.
template <class Write>
void submit_single(StoreService& service, const Request& incoming, Write* (v1::Operation::*mutable_op)()) {
  Write parsed;
  if (!parse(incoming, parsed)) return;
  v1::TxnRequest txn;
  *(txn.add_operations()->*mutable_op)() = std::move(parsed);
  service.submit(std::move(txn), [incoming](const Status& status, v1::TxnResponse response) {
    if (!status.ok()) return incoming.fail(status);
    incoming.reply(response.results(0).SerializeAsString());
  });
}

// Independent transactions, each with its own result; answered once the last is in.
void submit_batch(StoreService& service, const Request& incoming) {
  v1::BatchRequest batch;
  if (!parse(incoming, batch)) return;
  if (batch.transactions().empty()) return incoming.reply(v1::BatchResponse().SerializeAsString());
  struct Collector {
    std::mutex mutex;
    v1::BatchResponse response;
    int left = 0;
  };
  auto collector = std::make_shared<Collector>();
  collector->left = batch.transactions_size();
  for (int i = 0; i < batch.transactions_size(); ++i) collector->response.add_results();
  std::vector<std::pair<v1::TxnRequest, StoreService::TxnDone>> txns;
  for (int i = 0; i < batch.transactions_size(); ++i) {
    txns.emplace_back(std::move(*batch.mutable_transactions(i)),
                      [incoming, collector, i](const Status& status, v1::TxnResponse response) {
                        std::lock_guard lock(collector->mutex);
                        v1::BatchResult* result = collector->response.mutable_results(i);
                        result->set_code(status.code);
                        result->set_reason(status.reason);
                        result->set_message(status.message);
                        *result->mutable_response() = std::move(response);
                        if (--collector->left == 0) incoming.reply(collector->response.SerializeAsString());
                      });
  }
  service.submit_all(std::move(txns));
}

void submit_txn(StoreService& service, const Request& incoming) {
  v1::TxnRequest txn;
  if (!parse(incoming, txn)) return;
  service.submit(std::move(txn), [incoming](const Status& status, v1::TxnResponse response) {
    if (!status.ok()) return incoming.fail(status);
    incoming.reply(response.SerializeAsString());
  });
}

}  // namespace

StoreServer::StoreServer(Bus& bus, const Subjects& subjects, StoreService& service, StoreServeOptions options) {
  const std::string reads = "store-read";
  auto& s = service;
  for (int i = 0; i < std::max(1, options.read_workers); ++i) {
    subscriptions_.push_back(serve_proto<v1::GetRequest>(
        bus, subjects.store("get"), reads, [&s](const v1::GetRequest& r, const Request&) { return s.get(r.key()); }));
    subscriptions_.push_back(serve_proto<v1::GetManyRequest>(
        bus, subjects.store("getmany"), reads, [&s](const v1::GetManyRequest& r, const Request&) { return s.get_many(r); }));
    subscriptions_.push_back(serve_proto<v1::ListRequest>(
        bus, subjects.store("list"), reads, [&s](const v1::ListRequest& r, const Request&) { return s.list(r); }));
    subscriptions_.push_back(serve_proto<v1::HistoryRequest>(
        bus, subjects.store("history"), reads, [&s](const v1::HistoryRequest& r, const Request&) { return s.history(r); }));
  }
  subscriptions_.push_back(serve_proto<v1::InfoRequest>(
      bus, subjects.store("info"), reads, [&s](const v1::InfoRequest&, const Request&) { return s.info(); }));

  const std::string writes = "store-write";
  subscriptions_.push_back(bus.serve(subjects.store("create"), writes, [&s](Request r) {
    submit_single<v1::CreateRequest>(s, r, &v1::Operation::mutable_create);
  }));
  subscriptions_.push_back(bus.serve(subjects.store("update"), writes, [&s](Request r) {
    submit_single<v1::UpdateRequest>(s, r, &v1::Operation::mutable_update);
  }));
  subscriptions_.push_back(bus.serve(subjects.store("delete"), writes, [&s](Request r) {
    submit_single<v1::DeleteRequest>(s, r, &v1::Operation::mutable_delete_);
  }));
  subscriptions_.push_back(bus.serve(subjects.store("batch"), writes, [&s](Request r) { submit_batch(s, r); }));
  subscriptions_.push_back(bus.serve(subjects.store("txn"), writes, [&s](Request r) { submit_txn(s, r); }));
}

StoreServer::~StoreServer() { stop(); }

void StoreServer::stop() { subscriptions_.clear(); }

std::unique_ptr<StoreServer> serve_store(Context& context, StoreService& service, StoreServeOptions options) {
  return std::make_unique<StoreServer>(context.bus(), context.subjects(), service, options);
}

}  // namespace skiff::sdk
