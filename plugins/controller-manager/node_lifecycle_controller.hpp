// Watches node heartbeats (the node's Lease in kube-node-lease, or its Ready condition's
// lastHeartbeatTime). A node silent for longer than the grace period turns Ready=Unknown
// and gets the node.kubernetes.io/unreachable taints; pods that do not tolerate the
// NoExecute taint are evicted after their tolerationSeconds (or the eviction timeout), so
// their controllers replace them elsewhere. A node that comes back loses the taints.
#pragma once

#include <chrono>
#include <map>
#include <mutex>

#include "controller.hpp"

namespace skiff::controllers {

struct NodeLifecycleOptions {
  std::chrono::milliseconds grace_period{40000};       // node-monitor-grace-period
  std::chrono::milliseconds eviction_timeout{300000};  // for pods without a toleration of their own
  std::chrono::milliseconds monitor_period{5000};      // how often each node is looked at
};

class NodeLifecycleController final : public Controller {
 public:
  NodeLifecycleController(ControllerContext& context, NodeLifecycleOptions options)
      : Controller(context, "node-controller"), options_(options) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  std::string heartbeat_of(const core::Node& node);
  void mark_unknown(const core::Node& node);
  void set_taints(const core::Node& node, bool unreachable, bool not_ready);
  void evict_pods(const core::Node& node);

  NodeLifecycleOptions options_;
  struct Seen {
    std::string heartbeat;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex mutex_;
  std::map<std::string, Seen> seen_;  // by node: the last heartbeat and when we saw it change
};

}  // namespace skiff::controllers
