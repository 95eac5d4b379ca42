// CleanStops: the announcement's data is the node's name (a subject token may be escaped).
#include "clean_stops.hpp"

namespace skiff::cloud_local {

CleanStops::CleanStops(sdk::Bus& bus, const sdk::Subjects& subjects)
    : subscription_(bus.subscribe(subjects.kernel_stopped_any(), [this](const sdk::Message& message) {
        if (!message.data.empty()) stopped(message.data);
      })) {}

void CleanStops::stopped(const std::string& node) {
  std::lock_guard lock(mutex_);
  nodes_.insert(node);
}

void CleanStops::running(const std::string& node) {
  std::lock_guard lock(mutex_);
  nodes_.erase(node);
}

bool CleanStops::stopped_cleanly(const std::string& node) const {
  std::lock_guard lock(mutex_);
  return nodes_.contains(node);
}

}  // namespace skiff::cloud_local
