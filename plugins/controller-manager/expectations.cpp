#include "expectations.hpp"

namespace skiff::controllers {

void Expectations::expect(const std::string& key, int adds, int deletes) {
  std::lock_guard lock(mutex_);
  expected_[key] = {adds, deletes, std::chrono::steady_clock::now()};
}

void Expectations::observed_add(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = expected_.find(key); it != expected_.end()) --it->second.adds;
}

void Expectations::observed_delete(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = expected_.find(key); it != expected_.end()) --it->second.deletes;
}

bool Expectations::satisfied(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = expected_.find(key);
  if (it == expected_.end()) return true;
  const Expected& e = it->second;
  return (e.adds <= 0 && e.deletes <= 0) || std::chrono::steady_clock::now() - e.at > kTimeout;
}

void Expectations::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  expected_.erase(key);
}

}  // namespace skiff::controllers
