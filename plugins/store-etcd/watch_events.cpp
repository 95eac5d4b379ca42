#include "watch_events.hpp"

#include "skiff/api/meta/v1/meta.pb.h"
#include "txn_translation.hpp"

namespace skiff::store_etcd {

namespace {

// A deleted object whose last state etcd no longer has (compacted): its name, namespace and
// revision, which every watcher can decode (ObjectMeta is field 1 of every object).
std::string bare_object(const store::v1::ObjectKey& key, std::int64_t revision) {
  api::meta::v1::ObjectMeta meta;
  meta.set_name(key.name());
  meta.set_namespace_(key.namespace_());
  meta.set_resource_version(std::to_string(revision));
  std::string body = meta.SerializeAsString();
  std::string out(1, static_cast<char>((1 << 3) | 2));  // field 1, length-delimited
  google::protobuf::uint32 size = static_cast<google::protobuf::uint32>(body.size());
  while (size >= 0x80) {
    out.push_back(static_cast<char>((size & 0x7f) | 0x80));
    size >>= 7;
  }
  out.push_back(static_cast<char>(size));
  return out + body;
}

}  // namespace

std::optional<sdk::StoreChange> change_of(const KeyLayout& layout, const etcdserverpb::Event& event) {
  auto key = layout.parse_object(event.kv().key());
  if (!key) return std::nullopt;
  std::int64_t revision = event.kv().mod_revision();
  sdk::StoreChange change{key->resource(), {}};
  change.event.set_revision(revision);
  if (event.type() == etcdserverpb::Event::DELETE) {
    change.event.set_type("DELETED");
    change.event.set_object(event.has_prev_kv() ? with_revision(event.prev_kv().value(), revision)
                                                : bare_object(*key, revision));
  } else {
    change.event.set_type(event.kv().version() == 1 ? "ADDED" : "MODIFIED");
    change.event.set_object(with_revision(event.kv().value(), revision));
  }
  return change;
}

std::vector<sdk::StoreChange> changes_of(const KeyLayout& layout, const etcdserverpb::WatchResponse& response) {
  std::vector<sdk::StoreChange> out;
  for (const auto& event : response.events())
    if (auto change = change_of(layout, event)) out.push_back(std::move(*change));
  return out;
}

}  // namespace skiff::store_etcd
