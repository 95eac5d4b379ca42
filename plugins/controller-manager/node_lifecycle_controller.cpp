#include "node_lifecycle_controller.hpp"

#include <algorithm>

#include "pod_state.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::controllers {

namespace {

constexpr const char* kUnreachable = "node.kubernetes.io/unreachable";
constexpr const char* kNotReady = "node.kubernetes.io/not-ready";

const core::NodeCondition* ready_of(const core::Node& node) {
  for (const auto& c : node.status().conditions())
    if (c.type() == "Ready") return &c;
  return nullptr;
}

bool has_taint(const core::Node& node, const std::string& key, const std::string& effect) {
  for (const auto& t : node.spec().taints())
    if (t.key() == key && t.effect() == effect) return true;
  return false;
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
  std::string now = sdk::now_rfc3339();
  bool has_ready = false;
  for (auto& c : *next.mutable_status()->mutable_conditions()) {
    has_ready |= c.type() == "Ready";
    if (c.status() != "Unknown") c.set_last_transition_time(now);
    c.set_status("Unknown");
    c.set_reason("NodeStatusUnknown");
    c.set_message("Kubelet stopped posting node status.");
  }
  if (!has_ready) {
    auto* c = next.mutable_status()->add_conditions();
    c->set_type("Ready");
    c->set_status("Unknown");
    c->set_reason("NodeStatusNeverUpdated");
    c->set_message("Kubelet never posted node status.");
    c->set_last_transition_time(now);
  }
  context_.api.update(next, "status");
  events_.record(node, "Normal", "NodeNotReady", "Node " + node.metadata().name() + " status is now: NodeNotReady");
}

void NodeLifecycleController::set_taints(const core::Node& node, bool unreachable, bool not_ready) {
  bool want_unreachable = unreachable, want_not_ready = not_ready && !unreachable;
  if (has_taint(node, kUnreachable, "NoExecute") == want_unreachable &&
      has_taint(node, kUnreachable, "NoSchedule") == want_unreachable &&
      has_taint(node, kNotReady, "NoExecute") == want_not_ready && has_taint(node, kNotReady, "NoSchedule") == want_not_ready)
    return;
  core::Node next = node;
  auto* taints = next.mutable_spec()->mutable_taints();
  taints->erase(std::remove_if(taints->begin(), taints->end(),
                               [](const core::Taint& t) { return t.key() == kUnreachable || t.key() == kNotReady; }),
                taints->end());
  std::string now = sdk::now_rfc3339();
  auto add = [&](const char* key, const char* effect) {
    for (const auto& old : node.spec().taints())
      if (old.key() == key && old.effect() == effect) {
        *taints->Add() = old;  // keep its timeAdded
        return;
      }
    auto* t = taints->Add();
    t->set_key(key);
    t->set_effect(effect);
    t->set_time_added(now);
  };
  if (want_unreachable) {
    add(kUnreachable, "NoSchedule");
    add(kUnreachable, "NoExecute");
  }
  if (want_not_ready) {
    add(kNotReady, "NoSchedule");
    add(kNotReady, "NoExecute");
  }
  context_.api.update(next);
}

void NodeLifecycleController::evict_pods(const core::Node& node) {
  auto now = sdk::WallClock::now();
  for (const auto& taint : node.spec().taints()) {
    if (taint.effect() != "NoExecute") continue;
    auto added = sdk::parse_rfc3339(taint.time_added()).value_or(now);
    for (const auto& pod : context_.informers.pods().by_index(kByNode, node.metadata().name())) {
      if (!is_active(*pod)) continue;
      // How long this pod may stay: its own tolerationSeconds, forever if it tolerates the
      // taint without a limit, else the default eviction timeout.
      std::optional<std::chrono::milliseconds> allowed = options_.eviction_timeout;
      for (const auto& t : pod->spec().tolerations()) {
        bool matches = (t.effect().empty() || t.effect() == "NoExecute") &&
                       (t.operator_() == "Exists" ? (t.key().empty() || t.key() == taint.key())
                                                  : t.key() == taint.key() && t.value() == taint.value());
        if (!matches) continue;
        allowed = t.has_toleration_seconds() ? std::optional(std::chrono::milliseconds(t.toleration_seconds() * 1000))
                                             : std::nullopt;
        break;
      }
      if (!allowed) continue;
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
