#include "txn_translation.hpp"

#include <set>

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::store_etcd {

namespace v1 = store::v1;
using sdk::Error;
using sdk::Status;

namespace {

std::string qualified(const v1::ObjectKey& key) { return key.resource() + " \"" + key.name() + "\""; }

Status modified(const v1::ObjectKey& key) {
  return Status::Conflict("Operation cannot be fulfilled on " + qualified(key) +
                          ": the object has been modified; please apply your changes to the latest version and "
                          "try again");
}

const v1::ObjectKey& key_of(const v1::Operation& op) {
  switch (op.op_case()) {
    case v1::Operation::kCreate: return op.create().key();
    case v1::Operation::kUpdate: return op.update().key();
    case v1::Operation::kDelete: return op.delete_().key();
    default: throw Error(Status::BadRequest("transaction operation without create, update or delete"));
  }
}

std::string uid_in(const std::string& object) {
  api::meta::v1::ObjectMeta meta;
  return sdk::read_object_meta(object, &meta) ? meta.uid() : "";
}

etcd::Compare compare_version(const std::string& key, etcd::Compare::CompareResult result) {
  etcd::Compare c;
  c.set_key(key);
  c.set_target(etcd::Compare::VERSION);
  c.set_result(result);
  c.set_version(0);
  return c;
}

etcd::Compare compare_mod(const std::string& key, std::int64_t revision) {
  etcd::Compare c;
  c.set_key(key);
  c.set_target(etcd::Compare::MOD);
  c.set_result(etcd::Compare::EQUAL);
  c.set_mod_revision(revision);
  return c;
}

const StoredObject* read_of(const StoredObjects& reads, const std::string& key) {
  auto it = reads.find(key);
  return it == reads.end() || !it->second ? nullptr : &*it->second;
}

bool must_read(const v1::Operation& op) {
  if (op.has_update()) return op.update().expected_revision() == 0 || uid_in(op.update().object()).empty();
  return op.has_delete_() && !op.delete_().expected_uid().empty();
}

void add_put(etcd::TxnRequest& txn, const std::string& key, std::string value) {
  auto* put = txn.add_success()->mutable_request_put();
  put->set_key(key);
  put->set_value(std::move(value));
}

// Compares and writes of one operation; returns the uid the object keeps.
std::string translate_operation(const KeyLayout& layout, const v1::Operation& op, const StoredObjects& reads,
                                etcd::TxnRequest& txn) {
  const v1::ObjectKey& k = key_of(op);
  std::string key = layout.object(k);
  const StoredObject* stored = read_of(reads, key);
  bool was_read = reads.count(key) > 0;
  if (op.has_create()) {
    *txn.add_compare() = compare_version(key, etcd::Compare::EQUAL);
    std::string uid = op.create().uid().empty() ? sdk::new_uid() : op.create().uid();
    add_put(txn, key, sdk::stamp_object(op.create().object(), uid, ""));
    return uid;
  }
  if (op.has_update()) {
    const v1::UpdateRequest& update = op.update();
    if ((was_read || update.expected_revision() == 0) && !stored)
      throw Error(Status::NotFound(qualified(k) + " not found"));
    if (update.expected_revision() != 0 && stored && stored->mod_revision != update.expected_revision())
      throw Error(modified(k));
    std::int64_t expected = update.expected_revision() != 0 ? update.expected_revision() : stored->mod_revision;
    *txn.add_compare() = compare_mod(key, expected);
    std::string uid = stored ? stored->uid : uid_in(update.object());  // the uid never changes
    add_put(txn, key, sdk::stamp_object(update.object(), uid, ""));
    return uid;
  }
  const v1::DeleteRequest& del = op.delete_();
  if (was_read && !stored) throw Error(Status::NotFound(qualified(k) + " not found"));
  if (stored && !del.expected_uid().empty() && del.expected_uid() != stored->uid)
    throw Error(Status::Conflict("Precondition failed: UID in precondition: " + del.expected_uid() +
                                 ", UID in object meta: " + stored->uid));
  if (stored && del.expected_revision() != 0 && stored->mod_revision != del.expected_revision()) throw Error(modified(k));
  if (del.expected_revision() != 0) *txn.add_compare() = compare_mod(key, del.expected_revision());
  else if (stored) *txn.add_compare() = compare_mod(key, stored->mod_revision);
  else *txn.add_compare() = compare_version(key, etcd::Compare::GREATER);
  auto* erase = txn.add_success()->mutable_request_delete_range();
  erase->set_key(key);
  erase->set_prev_kv(true);
  return stored ? stored->uid : "";
}

void translate_condition(const KeyLayout& layout, const v1::Condition& condition, etcd::TxnRequest& txn) {
  std::string key = layout.object(condition.key());
  if (condition.expected_revision() == -1) *txn.add_compare() = compare_version(key, etcd::Compare::EQUAL);
  else if (condition.expected_revision() == 0) *txn.add_compare() = compare_version(key, etcd::Compare::GREATER);
  else *txn.add_compare() = compare_mod(key, condition.expected_revision());
}

}  // namespace

std::vector<std::string> keys_to_read(const KeyLayout& layout, const v1::TxnRequest& request) {
  std::vector<std::string> keys;
  for (const auto& op : request.operations())
    if (must_read(op)) keys.push_back(layout.object(key_of(op)));
  return keys;
}

Translation translate(const KeyLayout& layout, const v1::TxnRequest& request, const StoredObjects& reads) {
  if (request.operations().empty()) throw Error(Status::BadRequest("transaction without operations"));
  Translation out;
  for (const auto& condition : request.conditions()) translate_condition(layout, condition, out.txn);
  std::set<std::string> written, resources;
  for (const auto& op : request.operations()) {
    std::string key = layout.object(key_of(op));
    if (!written.insert(key).second)
      throw Error(Status::BadRequest("transaction changes " + qualified(key_of(op)) +
                                     " twice; etcd allows one change per key in a transaction"));
    out.uids.push_back(translate_operation(layout, op, reads, out.txn));
    resources.insert(key_of(op).resource());
  }
  for (const auto& resource : resources) add_put(out.txn, layout.marker(resource), "");
  // When a compare fails, read every compared key back to say which one and why.
  std::set<std::string> compared;
  for (const auto& c : out.txn.compare()) {
    if (!compared.insert(c.key()).second) continue;
    auto* range = out.txn.add_failure()->mutable_request_range();
    range->set_key(c.key());
    range->set_keys_only(true);
  }
  return out;
}

std::string with_revision(const std::string& value, std::int64_t revision) {
  return sdk::stamp_object(value, "", std::to_string(revision));
}

v1::TxnResponse success_response(const v1::TxnRequest& request, const Translation& translation,
                                 const etcd::TxnResponse& response) {
  v1::TxnResponse out;
  std::int64_t revision = response.header().revision();
  out.set_revision(revision);
  for (int i = 0; i < request.operations_size(); ++i) {
    const auto& op = request.operations(i);
    auto* result = out.add_results();
    result->set_revision(revision);
    const auto& done = response.responses(i);
    if (op.has_delete_()) {
      const auto& prev = done.response_delete_range().prev_kvs();
      // The deleted object's last state carries the deletion's revision, as Kubernetes watchers expect.
      if (!prev.empty()) result->set_object(with_revision(prev[0].value(), revision));
      continue;
    }
    const auto& put = translation.txn.success(i).request_put();
    result->set_object(with_revision(put.value(), revision));
  }
  return out;
}

std::optional<Status> diagnose_failure(const KeyLayout& layout, const v1::TxnRequest& request,
                                       const etcd::TxnResponse& response) {
  std::map<std::string, std::int64_t> now;  // key → mod_revision; absent keys are missing
  for (const auto& r : response.responses())
    for (const auto& kv : r.response_range().kvs()) now[kv.key()] = kv.mod_revision();
  auto state = [&](const v1::ObjectKey& k) -> std::optional<std::int64_t> {
    auto it = now.find(layout.object(k));
    return it == now.end() ? std::nullopt : std::optional(it->second);
  };
  for (const auto& condition : request.conditions()) {
    auto existing = state(condition.key());
    if (condition.expected_revision() == -1 && existing)
      return Status::Conflict("condition failed: " + qualified(condition.key()) + " exists");
    if (condition.expected_revision() >= 0 && !existing)
      return Status::Conflict("condition failed: " + qualified(condition.key()) + " does not exist");
    if (condition.expected_revision() > 0 && *existing != condition.expected_revision())
      return Status::Conflict("condition failed: " + qualified(condition.key()) + " is not at revision " +
                              std::to_string(condition.expected_revision()));
  }
  for (const auto& op : request.operations()) {
    const v1::ObjectKey& k = key_of(op);
    auto existing = state(k);
    if (op.has_create()) {
      if (existing) return Status::AlreadyExists(qualified(k) + " already exists");
      continue;
    }
    if (!existing) return Status::NotFound(qualified(k) + " not found");
    std::int64_t expected = op.has_update() ? op.update().expected_revision() : op.delete_().expected_revision();
    if (expected != 0 && *existing != expected) return modified(k);
  }
  return std::nullopt;
}

}  // namespace skiff::store_etcd
