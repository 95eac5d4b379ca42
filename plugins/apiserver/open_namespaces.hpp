// Namespaces recently seen open (existing, not terminating): creates in them skip the store
// read that NamespaceLifecycle needs, as kube-apiserver's admission reads its informer cache.
// Only "open" is remembered, for a short time, and it is forgotten at once when this apiserver
// marks the namespace terminating or removes it; a missing namespace is always asked again.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace skiff::apiserver {

class OpenNamespaces {
 public:
  using Clock = std::chrono::steady_clock;
  explicit OpenNamespaces(Clock::duration fresh_for = std::chrono::seconds(1)) : fresh_for_(fresh_for) {}

  bool known_open(const std::string& ns, Clock::time_point now = Clock::now()) const;
  void remember(const std::string& ns, Clock::time_point now = Clock::now());
  void forget(const std::string& ns);

 private:
  static constexpr std::size_t kMaxRemembered = 10000;
  Clock::duration fresh_for_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Clock::time_point> open_until_;
};

}  // namespace skiff::apiserver
