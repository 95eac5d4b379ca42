// CPU rates from two cumulative readings.
#include "usage_rates.hpp"

namespace skiff::kubelet {

std::uint64_t UsageRates::nano_cores(const std::string& key, std::uint64_t cumulative_nanos, Clock::time_point at) {
  read_.insert(key);
  auto it = last_.find(key);
  if (it != last_.end() && at == it->second.at && cumulative_nanos == it->second.nanos) return it->second.rate;
  std::uint64_t rate = 0;
  if (it != last_.end() && at > it->second.at && cumulative_nanos >= it->second.nanos) {
    auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(at - it->second.at).count();
    // nanoseconds of CPU per nanosecond of time, times 1e9: nanocores.
    rate = static_cast<std::uint64_t>(static_cast<double>(cumulative_nanos - it->second.nanos) * 1e9 /
                                      static_cast<double>(elapsed));
  }
  if (it == last_.end() || at > it->second.at) last_[key] = {cumulative_nanos, at, rate};
  return rate;
}

void UsageRates::forget_unread() {
  for (auto it = last_.begin(); it != last_.end();) it = read_.count(it->first) ? std::next(it) : last_.erase(it);
  read_.clear();
}

}  // namespace skiff::kubelet
