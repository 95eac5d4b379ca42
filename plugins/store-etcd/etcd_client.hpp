// One gRPC channel to an etcd cluster: the endpoints in order with failover (gRPC's pick_first
// over every address), TLS when asked, a user's auth token on every call, a deadline on each
// unary call. Failures are thrown as sdk::Error (etcd_errors.hpp).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "etcdserverpb/etcd.grpc.pb.h"
#include "skiff/sdk/status.hpp"

namespace skiff::store_etcd {

namespace etcd = ::etcdserverpb;

struct EtcdSettings {
  std::vector<std::string> endpoints;  // host:port, or http(s)://host:port
  std::string ca_file;                 // TLS: the CA that signed etcd's serving certificates
  std::string cert_file, key_file;     // TLS client certificate (etcd --client-cert-auth)
  std::string username, password;      // etcd auth (etcdctl user add)
  std::chrono::milliseconds request_timeout{5000};
};

class EtcdClient {
 public:
  // Checks the settings (throws sdk::Error 400 naming the bad one); connects lazily.
  explicit EtcdClient(EtcdSettings settings);

  etcd::RangeResponse range(const etcd::RangeRequest& request, std::string_view what);
  etcd::TxnResponse txn(const etcd::TxnRequest& request, std::string_view what);
  // The call runs on gRPC's threads; `done` gets the answer or the failure as an sdk::Status.
  using TxnDone = std::function<void(const sdk::Status& status, etcd::TxnResponse response)>;
  void txn_async(etcd::TxnRequest request, std::string what, TxnDone done);
  void compact(std::int64_t revision);
  etcd::StatusResponse status();
  etcd::LeaseGrantResponse lease_grant(std::int64_t ttl_seconds);
  void lease_revoke(std::int64_t id);

  // A context for a streaming call (watch, lease keep-alive): credentials, no deadline.
  std::unique_ptr<grpc::ClientContext> stream_context();
  etcd::Watch::Stub& watch_stub() { return *watch_; }
  etcd::Lease::Stub& lease_stub() { return *lease_; }

  const std::string& endpoints() const { return endpoints_text_; }
  std::chrono::milliseconds request_timeout() const { return settings_.request_timeout; }
  // A failed call as the error the store answers with.
  sdk::Error error(const grpc::Status& status, std::string_view what) const;

 private:
  std::unique_ptr<grpc::ClientContext> unary_context();
  void authenticate();
  template <class Request, class Response, class Call>
  Response call(Call method, const Request& request, std::string_view what);

  EtcdSettings settings_;
  std::string endpoints_text_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcd::KV::Stub> kv_;
  std::unique_ptr<etcd::Watch::Stub> watch_;
  std::unique_ptr<etcd::Lease::Stub> lease_;
  std::unique_ptr<etcd::Maintenance::Stub> maintenance_;
  std::unique_ptr<etcd::Auth::Stub> auth_;
  std::mutex token_mutex_;
  std::string token_;
};

}  // namespace skiff::store_etcd
