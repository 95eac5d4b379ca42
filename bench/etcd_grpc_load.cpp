// Plain blocking calls on a channel per client; KV.Put is not among store-etcd's generated
// stubs (it writes through Txn), so it is called by its method name on the same messages.
#include "etcd_grpc_load.hpp"

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/rpc_method.h>

#include <algorithm>
#include <cstdio>
#include <atomic>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "etcdserverpb/etcd.grpc.pb.h"

namespace skiff::bench {

namespace {

using Clock = std::chrono::steady_clock;

// A channel that does not share its connection with the other clients' (gRPC pools them by default).
std::shared_ptr<grpc::Channel> own_channel(const std::string& endpoint) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel("ipv4:" + endpoint, grpc::InsecureChannelCredentials(), arguments);
}

grpc::Status put(const std::shared_ptr<grpc::Channel>& channel, const grpc::internal::RpcMethod& method,
                 const etcdserverpb::PutRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  etcdserverpb::PutResponse response;
  return grpc::internal::BlockingUnaryCall(channel.get(), method, &context, request, &response);
}

grpc::internal::RpcMethod put_method(const std::shared_ptr<grpc::Channel>& channel) {
  return grpc::internal::RpcMethod("/etcdserverpb.KV/Put", grpc::internal::RpcMethod::NORMAL_RPC, channel);
}

// Runs `call(client, n)` on `clients` threads until the time is up; latencies of the calls that
// succeeded, failures counted.
Load drive(const EtcdLoad& load, const std::function<grpc::Status(int client, long n)>& call) {
  std::vector<std::vector<double>> latencies(load.clients);
  std::atomic<long> failures{0};
  std::mutex first_error_mutex;
  std::string first_error;
  auto end = Clock::now() + load.duration;
  std::vector<std::thread> threads;
  for (int c = 0; c < load.clients; ++c)
    threads.emplace_back([&, c] {
      for (long n = 0;; ++n) {
        auto start = Clock::now();
        if (start >= end) break;
        grpc::Status status = call(c, n);
        if (status.ok()) {
          latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        } else if (failures++ == 0) {
          std::lock_guard lock(first_error_mutex);
          first_error = status.error_message();
        }
      }
    });
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Load out;
  out.errors = failures;
  if (failures) std::fprintf(stderr, "etcd at %s: %ld calls failed, the first with: %s\n", load.endpoint.c_str(),
                             failures.load(), first_error.c_str());
  if (all.empty()) return out;
  out.rps = static_cast<double>(all.size()) / std::chrono::duration<double>(load.duration).count();
  out.p50_ms = all[all.size() / 2];
  out.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  return out;
}

}  // namespace

Load etcd_puts(const EtcdLoad& load, const std::string& key_prefix, const std::string& value) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<grpc::internal::RpcMethod> methods;
  for (int c = 0; c < load.clients; ++c) {
    channels.push_back(own_channel(load.endpoint));
    methods.push_back(put_method(channels.back()));
  }
  return drive(load, [&](int c, long n) {
    etcdserverpb::PutRequest request;
    request.set_key(key_prefix + std::to_string(c) + "-" + std::to_string(n));
    request.set_value(value);
    return put(channels[c], methods[c], request);
  });
}

Load etcd_gets(const EtcdLoad& load, const std::string& key) {
  std::vector<std::unique_ptr<etcdserverpb::KV::Stub>> stubs;
  for (int c = 0; c < load.clients; ++c) stubs.push_back(etcdserverpb::KV::NewStub(own_channel(load.endpoint)));
  return drive(load, [&](int c, long) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    etcdserverpb::RangeRequest request;
    request.set_key(key);
    etcdserverpb::RangeResponse response;
    grpc::Status status = stubs[c]->Range(&context, request, &response);
    if (status.ok() && response.kvs_size() != 1) return grpc::Status(grpc::StatusCode::NOT_FOUND, "the key is not there");
    return status;
  });
}

void etcd_put(const std::string& endpoint, const std::string& key, const std::string& value) {
  auto channel = own_channel(endpoint);
  etcdserverpb::PutRequest request;
  request.set_key(key);
  request.set_value(value);
  grpc::Status status = put(channel, put_method(channel), request);
  if (!status.ok())
    throw std::runtime_error("etcd at " + endpoint + " refused a put: " + status.error_message() + " (is it running?)");
}

}  // namespace skiff::bench
