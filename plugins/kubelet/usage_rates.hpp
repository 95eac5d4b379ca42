// usageNanoCores: the rate of a cumulative CPU counter between this kubelet's last reading of
// the same container, pod or node and this one (0 for the first reading, or after the counter
// went back, as a restarted container's does).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace skiff::kubelet {

class UsageRates {
 public:
  using Clock = std::chrono::steady_clock;

  // Records the reading and returns the rate since the previous one of `key`, in nanocores.
  // The same reading again (a shared node reading handed out twice) returns the same rate.
  std::uint64_t nano_cores(const std::string& key, std::uint64_t cumulative_nanos, Clock::time_point at);
  // Forgets every key not read since the last call (containers and pods that are gone).
  void forget_unread();

 private:
  struct Reading {
    std::uint64_t nanos = 0;
    Clock::time_point at;
    std::uint64_t rate = 0;  // from the reading before
  };
  std::map<std::string, Reading> last_;
  std::set<std::string> read_;
};

}  // namespace skiff::kubelet
