// Thin wrappers: one bus request per store operation.
#include "skiff/sdk/store_client.hpp"

#include "skiff/sdk/bus_proto.hpp"
#include "write_coalescer.hpp"

namespace skiff::sdk {

store::v1::ObjectKey object_key(const ResourceType& type, std::string_view namespace_, std::string_view name) {
  store::v1::ObjectKey key;
  key.set_resource(type.resource());
  if (type.namespaced) key.set_namespace_(std::string(namespace_));
  key.set_name(std::string(name));
  return key;
}

StoreClient::StoreClient(Bus& bus, Subjects subjects, std::chrono::milliseconds timeout)
    : bus_(bus),
      subjects_(std::move(subjects)),
      timeout_(timeout),
      writes_(std::make_shared<detail::WriteCoalescer>(bus, subjects_.store("batch"), timeout)) {}

store::v1::WriteResponse StoreClient::single(store::v1::TxnRequest request) const {
  store::v1::TxnResponse response = writes_->run(std::move(request));
  return response.results(0);
}

store::v1::GetResponse StoreClient::get(const store::v1::ObjectKey& key) const {
  store::v1::GetRequest request;
  *request.mutable_key() = key;
  return call<store::v1::GetResponse>(bus_, subjects_.store("get"), request, timeout_);
}

store::v1::ListResponse StoreClient::list(const store::v1::ListRequest& request) const {
  return call<store::v1::ListResponse>(bus_, subjects_.store("list"), request, timeout_);
}

store::v1::GetManyResponse StoreClient::get_many(const std::vector<store::v1::ObjectKey>& keys) const {
  store::v1::GetManyRequest request;
  for (const auto& key : keys) *request.add_keys() = key;
  auto response = call<store::v1::GetManyResponse>(bus_, subjects_.store("getmany"), request, timeout_);
  if (response.results_size() != request.keys_size())
    throw Error(Status::Internal("store: getmany answered " + std::to_string(response.results_size()) + " of " +
                                 std::to_string(request.keys_size()) + " objects"));
  return response;
}

store::v1::BatchResponse StoreClient::batch(std::vector<store::v1::TxnRequest> transactions) const {
  store::v1::BatchRequest request;
  for (auto& txn : transactions) *request.add_transactions() = std::move(txn);
  auto response = call<store::v1::BatchResponse>(bus_, subjects_.store("batch"), request, timeout_);
  if (response.results_size() != request.transactions_size())
    throw Error(Status::Internal("store: batch answered " + std::to_string(response.results_size()) + " of " +
                                 std::to_string(request.transactions_size()) + " transactions"));
  return response;
}

store::v1::ListResponse StoreClient::list_all(store::v1::ListRequest request) const {
  store::v1::ListResponse all = list(request);
  std::string next = all.continue_();
  while (!next.empty()) {
    request.set_continue_(next);
    store::v1::ListResponse page = list(request);
    for (auto& object : *page.mutable_objects()) all.add_objects(std::move(object));
    next = page.continue_();
  }
  all.clear_continue_();
  return all;
}

store::v1::WriteResponse StoreClient::create(const store::v1::ObjectKey& key, const std::string& object,
                                             const std::string& uid) const {
  store::v1::TxnRequest txn;
  auto* create = txn.add_operations()->mutable_create();
  *create->mutable_key() = key;
  create->set_object(object);
  create->set_uid(uid);
  return single(std::move(txn));
}

store::v1::WriteResponse StoreClient::update(const store::v1::ObjectKey& key, const std::string& object,
                                             std::int64_t expected_revision) const {
  store::v1::TxnRequest txn;
  auto* update = txn.add_operations()->mutable_update();
  *update->mutable_key() = key;
  update->set_object(object);
  update->set_expected_revision(expected_revision);
  return single(std::move(txn));
}

store::v1::WriteResponse StoreClient::erase(const store::v1::ObjectKey& key, std::int64_t expected_revision,
                                            const std::string& expected_uid) const {
  store::v1::TxnRequest txn;
  auto* erase = txn.add_operations()->mutable_delete_();
  *erase->mutable_key() = key;
  erase->set_expected_revision(expected_revision);
  erase->set_expected_uid(expected_uid);
  return single(std::move(txn));
}

store::v1::TxnResponse StoreClient::txn(const store::v1::TxnRequest& request) const { return writes_->run(request); }

store::v1::HistoryResponse StoreClient::history(const std::string& resource, std::int64_t since_revision) const {
  store::v1::HistoryRequest request;
  request.set_resource(resource);
  request.set_since_revision(since_revision);
  return call<store::v1::HistoryResponse>(bus_, subjects_.store("history"), request, timeout_);
}

store::v1::InfoResponse StoreClient::info() const {
  return call<store::v1::InfoResponse>(bus_, subjects_.store("info"), store::v1::InfoRequest(), timeout_);
}

}  // namespace skiff::sdk
