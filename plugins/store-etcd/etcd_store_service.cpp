#include "etcd_store_service.hpp"

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/custom_resource_types.hpp"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/store/list_paging.hpp"
#include "txn_translation.hpp"

namespace skiff::store_etcd {

namespace v1 = store::v1;
using sdk::Error;
using sdk::Status;

namespace {

// Every reply must fit a bus message (NATS' default limit is 1 MiB).
constexpr std::size_t kMaxReplyBytes = 768 * 1024;
constexpr std::int64_t kListChunk = 500;  // keys fetched from etcd at a time while filtering
constexpr int kRetries = 8;

const sdk::ResourceType& resource_type(const std::string& resource) {
  const sdk::ResourceType* type = sdk::find_resource_or_custom(resource);
  if (!type) throw Error(Status::BadRequest("unknown resource '" + resource + "'"));
  return *type;
}

StoredObjects read_states(EtcdClient& client, const std::vector<std::string>& keys) {
  StoredObjects out;
  if (keys.empty()) return out;
  etcd::TxnRequest reads;
  for (const auto& key : keys) reads.add_success()->mutable_request_range()->set_key(key);
  auto response = client.txn(reads, "reading the objects a transaction depends on");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& kvs = response.responses(static_cast<int>(i)).response_range().kvs();
    if (kvs.empty()) {
      out[keys[i]] = std::nullopt;
      continue;
    }
    api::meta::v1::ObjectMeta meta;
    sdk::read_object_meta(kvs[0].value(), &meta);
    out[keys[i]] = StoredObject{kvs[0].mod_revision(), meta.uid()};
  }
  return out;
}

}  // namespace

v1::GetResponse EtcdStoreService::get(const v1::ObjectKey& key) {
  etcd::RangeRequest request;
  request.set_key(layout_.object(key));
  auto response = client_.range(request, "reading " + key.resource() + "/" + key.name());
  if (response.kvs().empty()) throw Error(Status::NotFound(key.resource() + " \"" + key.name() + "\" not found"));
  v1::GetResponse out;
  out.set_revision(response.kvs(0).mod_revision());
  out.set_object(with_revision(response.kvs(0).value(), out.revision()));
  return out;
}

v1::GetManyResponse EtcdStoreService::get_many(const v1::GetManyRequest& request) {
  v1::GetManyResponse out;
  if (request.keys().empty()) return out;
  etcd::TxnRequest reads;  // one read-only Txn: every object at one revision
  for (const auto& key : request.keys()) reads.add_success()->mutable_request_range()->set_key(layout_.object(key));
  auto response = client_.txn(reads, "reading " + std::to_string(request.keys_size()) + " objects");
  std::size_t bytes = 0;
  for (const auto& r : response.responses()) {
    auto* result = out.add_results();
    if (r.response_range().kvs().empty()) continue;
    const auto& kv = r.response_range().kvs(0);
    bytes += kv.value().size();
    if (bytes > kMaxReplyBytes)
      throw Error(Status{413, "RequestEntityTooLarge",
                         "getmany: the objects asked for do not fit in one reply; ask for fewer keys at a time"});
    result->set_revision(kv.mod_revision());
    result->set_object(with_revision(kv.value(), kv.mod_revision()));
  }
  return out;
}

v1::ListResponse EtcdStoreService::list(const v1::ListRequest& request) {
  const sdk::ResourceType& type = resource_type(request.resource());
  sdk::ListFilter filter(type, request);
  const std::string* ns_field = filter.namespace_filter();
  std::string ns = !request.namespace_().empty() ? request.namespace_() : ns_field ? *ns_field : "";
  std::string prefix = layout_.objects_of(request.resource(), ns);

  std::int64_t revision = 0;
  std::string start = prefix;
  if (!request.continue_().empty()) {
    auto [token_revision, last_key] = sdk::decode_continue(request.continue_());
    if (!last_key.starts_with(prefix)) throw Error(Status::BadRequest("continue token belongs to another list"));
    revision = token_revision;
    start = last_key + '\0';  // the first key after the last one returned
  }
  v1::ListResponse out;
  std::size_t bytes = 0;
  std::string last_key;
  while (true) {
    etcd::RangeRequest range;
    range.set_key(start);
    range.set_range_end(prefix_end(prefix));
    range.set_limit(kListChunk);
    range.set_revision(revision);
    etcd::RangeResponse page;
    try {
      page = client_.range(range, "listing " + request.resource());
    } catch (const Error& e) {
      if (e.status().code == 410 && !request.continue_().empty())
        throw Error(Status::Gone("The provided continue parameter is too old to display a consistent list result. "
                                 "You can start a new list without the continue parameter."));
      throw;
    }
    if (revision == 0) revision = page.header().revision();  // every later page reads at this revision
    for (int i = 0; i < page.kvs_size(); ++i) {
      const auto& kv = page.kvs(i);
      bool full = request.limit() > 0 && out.objects_size() == request.limit();
      if (full || (out.objects_size() > 0 && bytes + kv.value().size() > kMaxReplyBytes)) {
        out.set_continue_(sdk::encode_continue(revision, last_key));
        out.set_revision(revision);
        return out;
      }
      last_key = kv.key();
      if (!filter.matches(kv.value())) continue;
      out.add_objects(with_revision(kv.value(), kv.mod_revision()));
      bytes += kv.value().size() + 8;
    }
    if (!page.more()) break;
    start = page.kvs(page.kvs_size() - 1).key() + '\0';
  }
  out.set_revision(revision);
  return out;
}

v1::HistoryResponse EtcdStoreService::history(const v1::HistoryRequest& request) {
  return relay_.history(request);
}

v1::InfoResponse EtcdStoreService::info() {
  v1::InfoResponse info;
  info.set_revision(relay_.latest_change());
  info.set_history_floor(relay_.floor());
  etcd::RangeRequest count;
  count.set_key(layout_.objects());
  count.set_range_end(prefix_end(layout_.objects()));
  count.set_count_only(true);
  info.set_objects(client_.range(count, "counting objects").count());
  auto status = client_.status();
  info.set_used_bytes(status.dbsizeinuse() > 0 ? status.dbsizeinuse() : status.dbsize());
  info.set_data_dir("etcd " + client_.endpoints());
  return info;
}

void EtcdStoreService::submit(v1::TxnRequest txn, TxnDone done) {
  attempt(std::make_shared<const v1::TxnRequest>(std::move(txn)), std::move(done), kRetries);
}

void EtcdStoreService::attempt(std::shared_ptr<const v1::TxnRequest> txn, TxnDone done, int attempts_left) {
  Translation translation;
  try {
    translation = translate(layout_, *txn, read_states(client_, keys_to_read(layout_, *txn)));
  } catch (const Error& e) {
    done(e.status(), {});
    return;
  }
  auto shared = std::make_shared<Translation>(std::move(translation));
  etcd::TxnRequest request = shared->txn;
  client_.txn_async(std::move(request), "writing " + std::to_string(txn->operations_size()) + " object(s)",
                    [this, txn, shared, done = std::move(done), attempts_left](const Status& status,
                                                                               etcd::TxnResponse response) mutable {
                      if (!status.ok()) return done(status, {});
                      if (response.succeeded()) return done(Status::Ok(), success_response(*txn, *shared, response));
                      if (auto refusal = diagnose_failure(layout_, *txn, response)) return done(*refusal, {});
                      if (attempts_left == 0)
                        return done(Status::Conflict("the objects kept changing while this write was tried; "
                                                     "try again"), {});
                      attempt(txn, std::move(done), attempts_left - 1);  // a revision read beforehand moved
                    });
}

}  // namespace skiff::store_etcd
