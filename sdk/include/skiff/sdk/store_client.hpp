// Typed calls to the store service (skiff.<c>.store.<op>). Throws Error with the store's status.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>
#include <string_view>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::sdk {

store::v1::ObjectKey object_key(const ResourceType& type, std::string_view namespace_, std::string_view name);

namespace detail {
class WriteCoalescer;
}

// Writes from concurrent threads sharing one StoreClient are coalesced into batch requests
// (one bus round trip for many writes); each caller still gets its own result.
class StoreClient {
 public:
  StoreClient(Bus& bus, Subjects subjects, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  store::v1::GetResponse get(const store::v1::ObjectKey& key) const;
  // Several objects at once; a missing one is an empty result (revision 0).
  store::v1::GetManyResponse get_many(const std::vector<store::v1::ObjectKey>& keys) const;
  // Independent transactions in one round trip, each with its own result.
  store::v1::BatchResponse batch(std::vector<store::v1::TxnRequest> transactions) const;
  // One page: the store caps a reply at a bus message, so a page may end early with a
  // continue token even without a limit.
  store::v1::ListResponse list(const store::v1::ListRequest& request) const;
  // Every page, following continue tokens; revision is the first page's.
  store::v1::ListResponse list_all(store::v1::ListRequest request) const;
  // uid: the one the caller chose, or empty for the store to pick.
  store::v1::WriteResponse create(const store::v1::ObjectKey& key, const std::string& object,
                                  const std::string& uid = "") const;
  store::v1::WriteResponse update(const store::v1::ObjectKey& key, const std::string& object,
                                  std::int64_t expected_revision = 0) const;
  store::v1::WriteResponse erase(const store::v1::ObjectKey& key, std::int64_t expected_revision = 0,
                                 const std::string& expected_uid = "") const;
  store::v1::TxnResponse txn(const store::v1::TxnRequest& request) const;
  store::v1::HistoryResponse history(const std::string& resource, std::int64_t since_revision) const;
  store::v1::InfoResponse info() const;

  Bus& bus() const { return bus_; }
  const Subjects& subjects() const { return subjects_; }

 private:
  store::v1::WriteResponse single(store::v1::TxnRequest request) const;

  Bus& bus_;
  Subjects subjects_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<detail::WriteCoalescer> writes_;
};

}  // namespace skiff::sdk
