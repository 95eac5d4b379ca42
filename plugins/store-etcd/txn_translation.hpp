// A Skiff store transaction as one etcd Txn: its conditions and operations become compares on
// each key's version and mod_revision, its writes the Txn's success branch (plus each touched
// resource's marker key), and the failure branch reads the keys back so that a refusal names
// the operation that failed in Kubernetes' words (404, 409 AlreadyExists, 409 Conflict).
// Pure functions: no etcd here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "etcdserverpb/etcd.pb.h"
#include "key_layout.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/store/v1/store.pb.h"

namespace skiff::store_etcd {

namespace etcd = ::etcdserverpb;

// What etcd holds under a key, read before the transaction when it depends on it.
struct StoredObject {
  std::int64_t mod_revision = 0;
  std::string uid;
};
using StoredObjects = std::map<std::string, std::optional<StoredObject>>;  // etcd key → state (nullopt: absent)

// Keys to read first: updates without an expected revision (the uid to keep and the revision
// to compare) or without a uid in the object, deletes that name an expected uid.
std::vector<std::string> keys_to_read(const KeyLayout& layout, const store::v1::TxnRequest& request);

struct Translation {
  etcd::TxnRequest txn;
  std::vector<std::string> uids;  // per operation
};

// Throws sdk::Error for what is decided already (400 malformed, 404/409 from the reads).
Translation translate(const KeyLayout& layout, const store::v1::TxnRequest& request, const StoredObjects& reads);

// The result of a Txn that succeeded.
store::v1::TxnResponse success_response(const store::v1::TxnRequest& request, const Translation& translation,
                                        const etcd::TxnResponse& response);

// Why a Txn's compares failed, from the failure branch's reads: the error to answer, or
// nullopt when only a revision read beforehand moved (read again and retry).
std::optional<sdk::Status> diagnose_failure(const KeyLayout& layout, const store::v1::TxnRequest& request,
                                            const etcd::TxnResponse& response);

// A stored value as the contract returns it: resourceVersion set to `revision`.
std::string with_revision(const std::string& value, std::int64_t revision);

}  // namespace skiff::store_etcd
