// etcd's gRPC failures as the store contract's statuses: 503 when the cluster cannot answer
// (down, no leader, no quorum, deadline), 410 for compacted revisions, 413 for requests over
// etcd's size limit, 507 when its space quota is exhausted — each message naming the endpoints
// and what to do.
#pragma once

#include <string>
#include <string_view>

#include "skiff/sdk/status.hpp"

namespace skiff::store_etcd {

// `grpc_code` is a grpc::StatusCode; `what` says what was being done ("reading pods/default/web").
sdk::Status status_from_etcd(int grpc_code, std::string_view message, std::string_view what,
                             std::string_view endpoints);

bool is_compacted(std::string_view etcd_message);

}  // namespace skiff::store_etcd
