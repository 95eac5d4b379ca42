// Expected slice generations per Service, checked against the informer's cache.
#include "endpoint_slice_tracker.hpp"

namespace skiff::controllers {

void EndpointSliceTracker::written(const std::string& service_key, const discovery::EndpointSlice& slice) {
  std::lock_guard lock(mutex_);
  expected_[service_key][slice.metadata().name()] = slice.metadata().generation();
}

void EndpointSliceTracker::erased(const std::string& service_key, const std::string& slice_name) {
  std::lock_guard lock(mutex_);
  expected_[service_key][slice_name] = kDeleted;
}

void EndpointSliceTracker::gone(const std::string& service_key, const std::string& slice_name) {
  std::lock_guard lock(mutex_);
  auto it = expected_.find(service_key);
  if (it == expected_.end()) return;
  it->second.erase(slice_name);
  if (it->second.empty()) expected_.erase(it);
}

bool EndpointSliceTracker::stale(const std::string& service_key, const std::vector<SlicePtr>& cached) {
  std::lock_guard lock(mutex_);
  auto it = expected_.find(service_key);
  if (it == expected_.end()) return false;
  std::map<std::string, std::int64_t> seen;
  for (const auto& slice : cached) seen[slice->metadata().name()] = slice->metadata().generation();
  bool behind = false;
  for (auto e = it->second.begin(); e != it->second.end();) {
    auto found = seen.find(e->first);
    bool caught_up = e->second == kDeleted ? found == seen.end() : found != seen.end() && found->second >= e->second;
    behind |= !caught_up;
    e = caught_up ? it->second.erase(e) : std::next(e);
  }
  if (it->second.empty()) expected_.erase(it);
  return behind;
}

void EndpointSliceTracker::forget(const std::string& service_key) {
  std::lock_guard lock(mutex_);
  expected_.erase(service_key);
}

}  // namespace skiff::controllers
