// PodGcController: the cache says the node is gone; the API confirms before a pod is deleted.
#include "pod_gc_controller.hpp"

#include <spdlog/logger.h>

namespace skiff::controllers {

void PodGcController::register_handlers() {
  context_.informers.pods().add_handlers(
      [this](const auto& pod) {
        if (!pod->spec().node_name().empty()) enqueue(key_of(*pod));
      },
      [this](const auto& before, const auto& pod) {
        if (before->spec().node_name() != pod->spec().node_name()) enqueue(key_of(*pod));
      },
      nullptr);
  context_.informers.nodes().add_handlers(nullptr, nullptr, [this](const auto& node) {
    for (const auto& pod : context_.informers.pods().by_index(kByNode, node->metadata().name())) enqueue(key_of(*pod));
  });
}

std::vector<std::string> PodGcController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& pod : context_.informers.pods().list())
    if (!pod->spec().node_name().empty() && !context_.informers.nodes().get("", pod->spec().node_name()))
      keys.push_back(key_of(*pod));
  return keys;
}

bool PodGcController::node_exists(const std::string& name) {
  if (context_.informers.nodes().get("", name)) return true;
  try {
    context_.api.get<core::Node>("", name);
    return true;
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
    return false;
  }
}

bool PodGcController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto pod = context_.informers.pods().get(ns, name);
  if (!pod || pod->spec().node_name().empty() || node_exists(pod->spec().node_name())) return true;
  context_.log.info("podgc: deleting pod {} of node {}, which no longer exists", key, pod->spec().node_name());
  sdk::ApiDeleteOptions options;
  options.grace_period_seconds = 0;  // no kubelet is left to confirm a graceful end
  options.precondition_uid = pod->metadata().uid();
  try {
    context_.api.erase<core::Pod>(ns, name, options);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404 && e.status().code != 409) throw;
  }
  return true;
}

}  // namespace skiff::controllers
