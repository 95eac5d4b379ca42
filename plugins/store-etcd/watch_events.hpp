// etcd watch events as the store's watch events: PUT of a new key → ADDED, of an existing one →
// MODIFIED, DELETE → DELETED carrying the object's last state (etcd's prev_kv) at the deletion's
// revision, every object stamped with its revision as resourceVersion.
#pragma once

#include <optional>
#include <vector>

#include "etcdserverpb/etcd.pb.h"
#include "key_layout.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"

namespace skiff::store_etcd {

// nullopt for keys that are not objects (markers, the publisher key).
std::optional<sdk::StoreChange> change_of(const KeyLayout& layout, const etcdserverpb::Event& event);

std::vector<sdk::StoreChange> changes_of(const KeyLayout& layout, const etcdserverpb::WatchResponse& response);

}  // namespace skiff::store_etcd
