// Three "masters" on loopback for the failover benchmark: each a skiffd with store-etcd and the
// apiserver (plain HTTP, a port of its own) beside its own member of a 3-member etcd cluster,
// all on one nats-server (which the benchmark does not kill). What a master death is: SIGKILL
// of its skiffd and its etcd member together.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api_load.hpp"
#include "etcd_cluster.hpp"
#include "plugin_node.hpp"

namespace skiff::bench {

class HaMasters {
 public:
  static constexpr int kSize = 3;
  // `prefix`: store-etcd's key prefix; `lease_ttl`: its publisher lease ("3s" is its default).
  HaMasters(test::NatsServer& nats, test::EtcdCluster& etcd, std::string prefix, const std::string& lease_ttl);

  void start(int master);  // its etcd member (when down), then its skiffd; returns once both serve
  void kill(int master);   // SIGKILL skiffd and etcd member, back to back
  ApiEndpoint api(int master) const;
  std::string node_name(int master) const { return "master-" + std::to_string(master); }

  // The master whose store-etcd holds <prefix>/publisher (publishes the watch events); -1: none.
  int publisher() const;
  const std::string& publisher_key() const { return publisher_key_; }

 private:
  test::EtcdCluster& etcd_;
  std::string publisher_key_;
  std::vector<std::unique_ptr<test::PluginNode>> nodes_;
};

// The member (index) that leads etcd's Raft group, as a live member reports it; -1: none known.
int etcd_leader(const test::EtcdCluster& etcd);
// Hands the leadership to `member` (etcdctl move-leader) and waits until the members agree.
void move_etcd_leader(test::EtcdCluster& etcd, int member);

// Reads etcd directly (gRPC, short deadlines) while the benchmark measures a failover.
struct EtcdView {
  // The leader a member reports; 0 when it knows none or does not answer.
  static std::uint64_t leader(const std::string& endpoint);
  static std::uint64_t member(const std::string& endpoint);  // its own id; 0 when it does not answer
  // A key's value (linearizable read); "" when absent or etcd does not answer.
  static std::string value(const std::string& endpoint, const std::string& key);
};

}  // namespace skiff::bench
