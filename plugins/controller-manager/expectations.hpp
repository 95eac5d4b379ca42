// Kubernetes' controller expectations: after a controller asks for N creations or deletions,
// it does not act on that owner again until its informer has seen them (or a timeout
// passes) — otherwise a quick second sync would create the same pods twice.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace skiff::controllers {

class Expectations {
 public:
  void expect(const std::string& key, int adds, int deletes);
  void observed_add(const std::string& key);
  void observed_delete(const std::string& key);
  // A request that failed will never be observed: lower the expectation.
  void add_failed(const std::string& key) { observed_add(key); }
  void delete_failed(const std::string& key) { observed_delete(key); }
  bool satisfied(const std::string& key) const;
  void forget(const std::string& key);

 private:
  struct Expected {
    int adds = 0;
    int deletes = 0;
    std::chrono::steady_clock::time_point at;
  };
  static constexpr std::chrono::minutes kTimeout{5};
  mutable std::mutex mutex_;
  std::map<std::string, Expected> expected_;
};

}  // namespace skiff::controllers
