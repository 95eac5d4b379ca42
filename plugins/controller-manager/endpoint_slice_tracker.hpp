// What the EndpointSlice controller last wrote for each Service, so that a sync running on a
// cache that has not yet seen those writes waits instead of acting on old slices (creating the
// same endpoints twice, or updating from a stale version) — Kubernetes' EndpointSliceTracker.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "endpoint_slice_plan.hpp"

namespace skiff::controllers {

class EndpointSliceTracker {
 public:
  // A slice this controller created or updated: the cache must show this generation or a later one.
  void written(const std::string& service_key, const discovery::EndpointSlice& slice);
  // A slice this controller deleted: the cache must not show it any more.
  void erased(const std::string& service_key, const std::string& slice_name);
  // The slice left the cache (whoever deleted it): nothing more to wait for about it.
  void gone(const std::string& service_key, const std::string& slice_name);
  // True while `cached` (the Service's slices as the informer has them) lacks a write of ours.
  // Writes the cache has caught up with are forgotten.
  bool stale(const std::string& service_key, const std::vector<SlicePtr>& cached);
  void forget(const std::string& service_key);

 private:
  static constexpr std::int64_t kDeleted = -1;
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::int64_t>> expected_;  // service → slice → generation
};

}  // namespace skiff::controllers
