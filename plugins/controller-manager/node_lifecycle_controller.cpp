#include "node_lifecycle_controller.hpp"

#include <algorithm>

#include "node_taints.hpp"
#include "pod_state.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace {

const core::NodeCondition* ready_of(const core::Node& node) {
  for (const auto& c : node.status().conditions())
    if (c.type() == "Ready") return &c;
  return nullptr;
}

}  // namespace

void NodeLifecycleController::register_handlers() {
  context_.informers.nodes().add_handlers([this](const auto& n) { enqueue(key_of(*n)); }, nullptr,
                                          [this](const auto& n) {
                                            std::lock_guard lock(mutex_);
                                            seen_.erase(n->metadata().name());
                                          });
  context_.informers.node_leases();
  context_.informers.pods();
}

std::vector<std::string> NodeLifecycleController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& n : context_.informers.nodes().list()) keys.push_back(key_of(*n));
  return keys;
}

std::string NodeLifecycleController::heartbeat_of(const core::Node& node) {
  std::string beat;
  if (auto lease = context_.informers.node_leases().get("kube-node-lease", node.metadata().name()))
    beat = lease->spec().renew_time();
  if (const auto* ready = ready_of(node)) beat += "|" + ready->last_heartbeat_time();
  return beat;
}

void NodeLifecycleController::mark_unknown(const core::Node& node) {
  core::Node next = node;
  mark_conditions_unknown(next, sdk::now_rfc3339());
  context_.api.update(next, "status");
  events_.record(node, "Normal", "NodeNotReady", "Node " + node.metadata().name() + " status is now: NodeNotReady");
}

void NodeLifecycleController::set_taints(const core::Node& node, bool unreachable, bool not_ready) {
  auto taints = condition_taints(node, unreachable, not_ready, sdk::now_rfc3339());
  if (!taints) return;
  core::Node next = node;
  *next.mutable_spec()->mutable_taints() = std::move(*taints);
  context_.api.update(next);
}

void NodeLifecycleController::evict_pods(const core::Node& node) {
  auto now = sdk::WallClock::now();
  for (const auto& taint : node.spec().taints()) {
    if (taint.effect() != "NoExecute") continue;
    auto added = sdk::parse_rfc3339(taint.time_added()).value_or(now);
    for (const auto& pod : context_.informers.pods().by_index(kByNode, node.metadata().name())) {
      if (!is_active(*pod)) continue;
      auto allowed = eviction_delay(*pod, taint, options_.eviction_timeout);
      if (!allowed) continue;  // tolerated for ever
      if (now < added + *allowed) {
        enqueue_after(key_of(node), std::chrono::duration_cast<std::chrono::milliseconds>(added + *allowed - now));
        continue;
      }
      events_.record(*pod, "Normal", "TaintManagerEviction",
                     "Marking for deletion Pod " + pod->metadata().namespace_() + "/" + pod->metadata().name());
      try {
        sdk::ApiDeleteOptions options;
        options.precondition_uid = pod->metadata().uid();
        context_.api.erase<core::Pod>(pod->metadata().namespace_(), pod->metadata().name(), options);
      } catch (const sdk::Error& e) {
        if (e.status().code != 404 && e.status().code != 409) throw;
      }
    }
  }
}

bool NodeLifecycleController::sync(const std::string& key) {
  auto node = context_.informers.nodes().get("", key);
  if (!node) return true;
  auto now = std::chrono::steady_clock::now();
  std::string beat = heartbeat_of(*node);
  bool silent;
  {
    std::lock_guard lock(mutex_);
    auto& seen = seen_[key];
    if (seen.at == std::chrono::steady_clock::time_point{} || seen.heartbeat != beat) seen = {beat, now};
    // Measured on our clock from when the heartbeat last changed, so clocks need not agree.
    silent = now - seen.at > options_.grace_period;
  }
  const auto* ready = ready_of(*node);
  if (silent && (!ready || ready->status() != "Unknown")) {
    mark_unknown(*node);
  } else {
    // The Ready condition decides: a node is back once its kubelet reports Ready again.
    bool unreachable = silent || (ready && ready->status() == "Unknown");
    bool not_ready = ready && ready->status() == "False";
    set_taints(*node, unreachable, not_ready);
    evict_pods(*node);
  }
  enqueue_after(key, options_.monitor_period);
  return true;
}

}  // namespace skiff::controllers
