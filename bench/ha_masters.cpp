#include "ha_masters.hpp"

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>

#include "etcdserverpb/etcd.grpc.pb.h"
#include "wait.hpp"

namespace skiff::bench {

namespace {

using namespace std::chrono_literals;

// One channel per member for the whole run (polling opens no connections); a member that comes
// back is reconnected within 100 ms rather than after gRPC's growing back-off.
std::shared_ptr<grpc::Channel> channel_to(const std::string& endpoint) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  std::lock_guard lock(mutex);
  auto& channel = channels[endpoint];
  if (!channel) {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
    channel = grpc::CreateCustomChannel("ipv4:" + endpoint, grpc::InsecureChannelCredentials(), arguments);
  }
  return channel;
}

std::unique_ptr<grpc::ClientContext> short_call() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + 300ms);
  return context;
}

std::string master_yaml(const std::vector<std::string>& endpoints, int own, const std::string& prefix,
                        const std::string& lease_ttl) {
  // The master's own member first, as a master's profile lists it; the others for failover.
  std::string list = endpoints[own];
  for (int i = 0; i < static_cast<int>(endpoints.size()); ++i)
    if (i != own) list += ", " + endpoints[i];
  return "  - name: store-etcd\n    config: {endpoints: [" + list + "], prefix: " + prefix + ", lease_ttl: " + lease_ttl +
         "}\n  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n";
}

}  // namespace

std::uint64_t EtcdView::leader(const std::string& endpoint) {
  etcdserverpb::StatusResponse response;
  auto stub = etcdserverpb::Maintenance::NewStub(channel_to(endpoint));
  auto context = short_call();
  if (!stub->Status(context.get(), {}, &response).ok()) return 0;
  return response.leader();
}

std::uint64_t EtcdView::member(const std::string& endpoint) {
  // A member keeps its id across restarts: asked once.
  static std::mutex mutex;
  static std::map<std::string, std::uint64_t> ids;
  {
    std::lock_guard lock(mutex);
    if (ids.count(endpoint)) return ids[endpoint];
  }
  etcdserverpb::StatusResponse response;
  auto stub = etcdserverpb::Maintenance::NewStub(channel_to(endpoint));
  auto context = short_call();
  if (!stub->Status(context.get(), {}, &response).ok()) return 0;
  std::lock_guard lock(mutex);
  return ids[endpoint] = response.header().member_id();
}

std::string EtcdView::value(const std::string& endpoint, const std::string& key) {
  etcdserverpb::RangeRequest request;
  request.set_key(key);
  etcdserverpb::RangeResponse response;
  auto stub = etcdserverpb::KV::NewStub(channel_to(endpoint));
  auto context = short_call();
  if (!stub->Range(context.get(), request, &response).ok() || response.kvs_size() == 0) return "";
  return response.kvs(0).value();
}

int etcd_leader(const test::EtcdCluster& etcd) {
  for (int m = 0; m < etcd.size(); ++m) {
    if (!etcd.running(m)) continue;
    std::uint64_t leader = EtcdView::leader(etcd.endpoint(m));
    if (leader == 0) continue;
    for (int candidate = 0; candidate < etcd.size(); ++candidate)
      if (etcd.running(candidate) && EtcdView::member(etcd.endpoint(candidate)) == leader) return candidate;
  }
  return -1;
}

void move_etcd_leader(test::EtcdCluster& etcd, int member) {
  if (etcd_leader(etcd) == member) return;
  char id[32];
  std::snprintf(id, sizeof id, "%llx", static_cast<unsigned long long>(EtcdView::member(etcd.endpoint(member))));
  auto moved = etcd.etcdctl({"move-leader", id});
  if (moved.exit_code != 0 || !test::wait_until([&] { return etcd_leader(etcd) == member; }, 10s))
    throw std::runtime_error("etcdctl move-leader to " + etcd.endpoint(member) + " failed: " + moved.out + moved.err);
}

HaMasters::HaMasters(test::NatsServer& nats, test::EtcdCluster& etcd, std::string prefix, const std::string& lease_ttl)
    : etcd_(etcd), publisher_key_(prefix + "/publisher") {
  if (etcd.size() != kSize) throw std::runtime_error("HaMasters needs a 3-member etcd cluster");
  for (int m = 0; m < kSize; ++m)
    nodes_.push_back(std::make_unique<test::PluginNode>(nats, master_yaml(etcd.endpoints(), m, prefix, lease_ttl),
                                                        node_name(m)));
}

void HaMasters::start(int master) {
  if (!etcd_.running(master)) etcd_.start(master);
  nodes_[master]->start();
}

void HaMasters::kill(int master) {
  ::kill(nodes_[master]->pid(), SIGKILL);
  etcd_.kill(master);
  nodes_[master]->kill();  // reaps it
}

ApiEndpoint HaMasters::api(int master) const { return read_kubeconfig(nodes_[master]->dir().file("data/kubeconfig")); }

int HaMasters::publisher() const {
  for (int m = 0; m < kSize; ++m) {
    if (!etcd_.running(m)) continue;
    std::string holder = EtcdView::value(etcd_.endpoint(m), publisher_key_);
    for (int candidate = 0; candidate < kSize; ++candidate)
      if (holder.starts_with(node_name(candidate) + "/")) return candidate;
  }
  return -1;
}

}  // namespace skiff::bench
