// Runs n calls with a bounded number of threads (controllers' batched creates and deletes).
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace skiff::controllers {

inline void parallel_for(int n, int concurrency, const std::function<void(int)>& call) {
  if (n <= 0) return;
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  int count = std::min(n, std::max(1, concurrency));
  for (int t = 0; t < count; ++t)
    threads.emplace_back([&] {
      for (int i; (i = next++) < n;) call(i);
    });
  for (auto& t : threads) t.join();
}

}  // namespace skiff::controllers
