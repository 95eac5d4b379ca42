// Thin wrappers: one bus request per store operation.
#include "skiff/sdk/store_client.hpp"

#include "skiff/sdk/bus_proto.hpp"

namespace skiff::sdk {

store::v1::ObjectKey object_key(const ResourceType& type, std::string_view namespace_, std::string_view name) {
  store::v1::ObjectKey key;
  key.set_resource(type.resource());
  if (type.namespaced) key.set_namespace_(std::string(namespace_));
  key.set_name(std::string(name));
  return key;
}

StoreClient::StoreClient(Bus& bus, Subjects subjects, std::chrono::milliseconds timeout)
    : bus_(bus), subjects_(std::move(subjects)), timeout_(timeout) {}

store::v1::GetResponse StoreClient::get(const store::v1::ObjectKey& key) const {
  store::v1::GetRequest request;
  *request.mutable_key() = key;
  return call<store::v1::GetResponse>(bus_, subjects_.store("get"), request, timeout_);
}

store::v1::ListResponse StoreClient::list(const store::v1::ListRequest& request) const {
  return call<store::v1::ListResponse>(bus_, subjects_.store("list"), request, timeout_);
}

store::v1::WriteResponse StoreClient::create(const store::v1::ObjectKey& key, const std::string& object) const {
  store::v1::CreateRequest request;
  *request.mutable_key() = key;
  request.set_object(object);
  return call<store::v1::WriteResponse>(bus_, subjects_.store("create"), request, timeout_);
}

store::v1::WriteResponse StoreClient::update(const store::v1::ObjectKey& key, const std::string& object,
                                             std::int64_t expected_revision) const {
  store::v1::UpdateRequest request;
  *request.mutable_key() = key;
  request.set_object(object);
  request.set_expected_revision(expected_revision);
  return call<store::v1::WriteResponse>(bus_, subjects_.store("update"), request, timeout_);
}

store::v1::WriteResponse StoreClient::erase(const store::v1::ObjectKey& key, std::int64_t expected_revision,
                                            const std::string& expected_uid) const {
  store::v1::DeleteRequest request;
  *request.mutable_key() = key;
  request.set_expected_revision(expected_revision);
  request.set_expected_uid(expected_uid);
  return call<store::v1::WriteResponse>(bus_, subjects_.store("delete"), request, timeout_);
}

store::v1::TxnResponse StoreClient::txn(const store::v1::TxnRequest& request) const {
  return call<store::v1::TxnResponse>(bus_, subjects_.store("txn"), request, timeout_);
}

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
