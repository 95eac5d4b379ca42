// A `make cluster` of its own for a test suite or a benchmark: scripts/cluster.sh with a data
// dir, LAN, bridge and node names that clash with no one's, started from nothing and removed
// with everything it made when the object goes.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "skiff/testing/process.hpp"

namespace skiff::test {

struct ClusterLabOptions {
  std::string data_dir;
  std::string lan;       // the LAN's first three octets
  std::string bridge;
  std::string cluster;   // node names: <cluster>-master, <cluster>-worker-<i>
  std::string network = "cni";
  std::string runtime = "docker";  // or containerd: one of each node's own, in its namespace
  int workers = 2;
  std::string lb_pool;   // cloud-local's LoadBalancer pool (LB_POOL); "" for the script's default
  bool cloud_routes = false;  // cloud-local owns the master's host-gw routes (CLOUD_ROUTES=1)
  // 3 (or 5): masters <cluster>-master-1..N at .101…, etcd, a NATS cluster and the VIP (.100).
  int masters = 1;
  std::string cloud;  // CLOUD: local or none; "" for the script's default (local)
};

class ClusterLab {
 public:
  // Brings it up (throws std::runtime_error with the script's output when it does not come up).
  explicit ClusterLab(ClusterLabOptions options);
  ~ClusterLab();  // SIGTERM to the script: its trap removes the cluster

  const ClusterLabOptions& options() const { return options_; }
  std::string kubeconfig() const { return options_.data_dir + "/kubeconfig"; }
  std::string node(int worker) const;  // 0: the (first) master
  std::string node_ip(int worker) const;
  // Master i (1-based) of several; with one master, the master.
  std::string master(int i) const;
  std::string master_ip(int i) const;
  std::string vip() const { return options_.lan + ".100"; }
  // kubectl (the machine's) against it.
  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = "") const;
  // scripts/cluster.sh <args…> with this cluster's settings (restart NODE, down …).
  CommandResult script(const std::vector<std::string>& args) const;

 private:
  std::vector<std::string> environment() const;

  ClusterLabOptions options_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace skiff::test
