// Work inside network namespaces without touching the host's: a function run on a thread that
// has a fresh (or a named) namespace of its own, and commands started from that thread and
// timed by wall clock from spawn to exit, as a proxy that shells out pays for them.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace skiff::bench {

// Runs `work` on a new thread in a new, empty network namespace and waits for it; rethrows
// what it throws. The namespace goes away once nothing (thread, process, socket) holds it.
void in_fresh_netns(const std::function<void()>& work);
// The same in an existing namespace, e.g. "/run/netns/NAME" of `ip netns add NAME`.
void in_netns(const std::string& netns_path, const std::function<void()>& work);

struct TimedRun {
  std::chrono::nanoseconds wall{0};
  int exit_code = -1;      // 128 + signal when killed
  bool timed_out = false;  // killed at the cap
  std::string output;      // its stdout and stderr
  double seconds() const { return std::chrono::duration<double>(wall).count(); }
  double millis() const { return std::chrono::duration<double, std::milli>(wall).count(); }
};

// Spawns argv (looked up in PATH) in the calling thread's network namespace with stdin read
// from `stdin_path`, waits for its exit (no polling: a pidfd), and kills it at `cap`.
TimedRun run_timed(const std::vector<std::string>& argv, const std::string& stdin_path,
                   std::chrono::milliseconds cap);
// The same with no input; throws std::runtime_error with its output unless it exits 0.
std::string must_run(const std::vector<std::string>& argv,
                     std::chrono::milliseconds cap = std::chrono::seconds(60));

}  // namespace skiff::bench
