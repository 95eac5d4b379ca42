// runtime-sim's synthetic stats: a running container's CPU counter grows at its rate
// (SIM_CPU_USAGE or the config's cpu_usage), its memory is flat (SIM_MEMORY_USAGE or
// memory_usage, capped at its limit); a pod's eth0 counts 1000 bytes in and 500 out per second.
#include <algorithm>

#include "sim_runtime.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::sim {

namespace {

constexpr std::uint64_t kRxBytesPerSecond = 1000;
constexpr std::uint64_t kTxBytesPerSecond = 500;
constexpr std::uint64_t kRootfsBytes = 16 << 10;  // a few files written to the writable layer

std::uint64_t nanos_between(Clock::time_point from, Clock::time_point to) {
  auto ran = std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, ran));
}

}  // namespace

rt::StatsResponse SimRuntime::stats_of(const Container& c, Clock::time_point now) {
  rt::StatsResponse out;
  out.set_timestamp(sdk::format_rfc3339_micro(now));
  if (c.state == "CREATED") return out;
  std::uint64_t ran = nanos_between(c.started, c.state == "RUNNING" ? now : c.finished);
  // ns × millicores / 1000 in two steps: a year of a 100-core container stays far from overflow.
  out.set_cpu_usage_nanos(ran / 1000 * static_cast<std::uint64_t>(c.cpu_millicores) +
                          ran % 1000 * static_cast<std::uint64_t>(c.cpu_millicores) / 1000);
  std::uint64_t limit = static_cast<std::uint64_t>(std::max<std::int64_t>(0, c.config.memory_limit_bytes()));
  out.set_memory_limit_bytes(limit);
  out.set_rootfs_used_bytes(kRootfsBytes);
  out.set_rootfs_inodes_used(4);
  if (c.state != "RUNNING") return out;
  std::uint64_t memory = limit > 0 ? std::min(limit, c.memory_bytes) : c.memory_bytes;
  out.set_memory_working_set_bytes(memory);
  out.set_memory_usage_bytes(memory);
  out.set_memory_rss_bytes(memory);
  return out;
}

rt::SandboxStatsResponse SimRuntime::network_of(const Sandbox& s, Clock::time_point now) {
  rt::SandboxStatsResponse out;
  out.set_timestamp(sdk::format_rfc3339_micro(now));
  if (!s.ready || s.config.host_network()) return out;
  std::uint64_t millis = nanos_between(s.created, now) / 1000000;
  auto* eth0 = out.add_interfaces();
  eth0->set_name("eth0");
  eth0->set_rx_bytes(millis * kRxBytesPerSecond / 1000);
  eth0->set_tx_bytes(millis * kTxBytesPerSecond / 1000);
  return out;
}

}  // namespace skiff::sim
