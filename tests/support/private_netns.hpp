// Runs a test body on a thread of its own network namespace (unshare is per thread): routes
// and nftables rules made there vanish with it, and never touch the machine's.
#pragma once

#include <sched.h>

#include <exception>
#include <functional>
#include <stdexcept>
#include <thread>

namespace skiff::test {

inline void in_private_netns(const std::function<void()>& body) {
  std::exception_ptr failure;
  std::thread thread([&] {
    try {
      if (unshare(CLONE_NEWNET) != 0) throw std::runtime_error("unshare(CLONE_NEWNET) failed: are the tests root?");
      body();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace skiff::test
