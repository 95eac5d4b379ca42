#include "open_namespaces.hpp"

namespace skiff::apiserver {

bool OpenNamespaces::known_open(const std::string& ns, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto it = open_until_.find(ns);
  return it != open_until_.end() && it->second > now;
}

void OpenNamespaces::remember(const std::string& ns, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (open_until_.size() >= kMaxRemembered) open_until_.clear();  // a bound, not an eviction policy
  open_until_[ns] = now + fresh_for_;
}

void OpenNamespaces::forget(const std::string& ns) {
  std::lock_guard lock(mutex_);
  open_until_.erase(ns);
}

}  // namespace skiff::apiserver
