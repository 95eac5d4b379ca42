// Waiting on conditions with deadlines: the only way tests synchronise.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace skiff::test {

using namespace std::chrono_literals;

// Re-checks `condition` until it holds or `timeout` passes; returns whether it held.
inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s,
                       std::chrono::microseconds poll = 10ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace skiff::test
