#include "etcd_errors.hpp"

#include <grpcpp/support/status_code_enum.h>

namespace skiff::store_etcd {

bool is_compacted(std::string_view etcd_message) {
  return etcd_message.find("required revision has been compacted") != std::string_view::npos;
}

sdk::Status status_from_etcd(int grpc_code, std::string_view message, std::string_view what,
                             std::string_view endpoints) {
  std::string said = std::string(what) + ": etcd (" + std::string(endpoints) + ") said: " + std::string(message);
  if (is_compacted(message))
    return sdk::Status::Gone("too old resource version: etcd compacted the revisions asked for (" +
                             std::string(message) + "); list again");
  if (message.find("request is too large") != std::string_view::npos)
    return sdk::Status{413, "RequestEntityTooLarge",
                       said + "; the object exceeds etcd's request size limit (--max-request-bytes)"};
  if (message.find("too many operations in txn request") != std::string_view::npos)
    return sdk::Status{413, "RequestEntityTooLarge",
                       said + "; a transaction is one etcd Txn, of at most etcd's --max-txn-ops operations (128 by "
                              "default, each write also touches its resource's marker key): split it, or raise the limit"};
  if (message.find("database space exceeded") != std::string_view::npos)
    return sdk::Status{507, "InsufficientStorage",
                       said + "; etcd's space quota is exhausted: compact and defragment it, or raise "
                              "--quota-backend-bytes, then disarm the NOSPACE alarm"};
  bool auth_failure = message.find("authentication failed") != std::string_view::npos ||
                      message.find("permission denied") != std::string_view::npos ||
                      message.find("user name is empty") != std::string_view::npos;
  if (auth_failure) grpc_code = static_cast<int>(grpc::StatusCode::UNAUTHENTICATED);
  switch (static_cast<grpc::StatusCode>(grpc_code)) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
      return sdk::Status::Unavailable(std::string(what) + ": the etcd cluster (" + std::string(endpoints) +
                                      ") did not answer (" + std::string(message) +
                                      "): it is down or has lost its quorum; writes resume once a majority of "
                                      "its members are back");
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return sdk::Status{500, "InternalError",
                         said + "; check store-etcd's username/password and the user's etcd role (it needs "
                                "read-write on the prefix)"};
    default: return sdk::Status{500, "InternalError", said};
  }
}

}  // namespace skiff::store_etcd
