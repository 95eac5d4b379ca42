#include "scheduler_cache.hpp"

#include <algorithm>

namespace skiff::sdk::scheduling {

void SchedulerCache::touch(const std::string& node) {
  dirty_.insert(node);
  ++generation_;
}

void SchedulerCache::update_snapshot(Snapshot& snapshot) {
  std::lock_guard lock(mutex_);
  if (snapshot.generation() == generation_) return;
  for (const auto& name : dirty_) {
    auto it = nodes_.find(name);
    snapshot.put(name, it == nodes_.end() ? nullptr : it->second.get());
  }
  dirty_.clear();
  snapshot.finish_update(generation_);
}

void SchedulerCache::attach(const std::string& key, PodState& state) {
  if (auto it = nodes_.find(state.node); it != nodes_.end()) {
    it->second->add_pod(state.info);
    touch(state.node);
  } else {
    waiting_for_node_[state.node].insert(key);
  }
}

void SchedulerCache::detach(const std::string& key, const PodState& state) {
  if (auto it = nodes_.find(state.node); it != nodes_.end() && it->second->remove_pod(key)) touch(state.node);
}

void SchedulerCache::set_node(NodePtr node) {
  std::lock_guard lock(mutex_);
  const std::string& name = node->metadata().name();
  auto it = nodes_.find(name);
  touch(name);
  if (it != nodes_.end()) {
    it->second->set_node(std::move(node));
    return;
  }
  auto info = std::make_unique<NodeInfo>(std::move(node));
  NodeInfo* added = info.get();
  nodes_.emplace(name, std::move(info));
  if (auto waiting = waiting_for_node_.find(name); waiting != waiting_for_node_.end()) {
    for (const auto& key : waiting->second)
      if (auto pod = pods_.find(key); pod != pods_.end() && pod->second.node == name) added->add_pod(pod->second.info);
    waiting_for_node_.erase(waiting);
  }
}

void SchedulerCache::remove_node(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (nodes_.erase(name)) touch(name);
}

void SchedulerCache::add_bound_pod(const PodPtr& pod) {
  std::string key = pod->metadata().namespace_() + "/" + pod->metadata().name();
  std::lock_guard lock(mutex_);
  auto it = pods_.find(key);
  if (it != pods_.end()) {
    PodState& state = it->second;
    if (state.node == pod->spec().node_name() && state.info->pod->metadata().resource_version() ==
                                                     pod->metadata().resource_version())
      return;
    detach(key, state);
    state.info = std::make_shared<PodInfo>(pod);
    state.node = pod->spec().node_name();
    state.assumed = false;
    attach(key, state);
    return;
  }
  PodState state{std::make_shared<PodInfo>(pod), pod->spec().node_name(), false};
  attach(key, state);
  pods_.emplace(key, std::move(state));
}

bool SchedulerCache::remove_pod(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = pods_.find(key);
  if (it == pods_.end()) return false;
  detach(key, it->second);
  pods_.erase(it);
  return true;
}

void SchedulerCache::assume(PodInfoPtr pod, const std::string& node) {
  std::lock_guard lock(mutex_);
  std::string key = pod->key;
  if (auto it = pods_.find(key); it != pods_.end()) detach(key, it->second);
  PodState state{std::move(pod), node, true};
  attach(key, state);
  pods_[key] = std::move(state);
}

void SchedulerCache::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = pods_.find(key);
  if (it == pods_.end() || !it->second.assumed) return;
  detach(key, it->second);
  pods_.erase(it);
}

bool SchedulerCache::is_assumed(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = pods_.find(key);
  return it != pods_.end() && it->second.assumed;
}

std::size_t SchedulerCache::node_count() const {
  std::lock_guard lock(mutex_);
  return nodes_.size();
}

}  // namespace skiff::sdk::scheduling
