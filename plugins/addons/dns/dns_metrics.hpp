// Hooks the server and the forwarder call as they work; CountingMetrics keeps lock-free counts
// (queries by type and rcode, drops, cache hits, forward latency) for the plugin to export.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>

#include "dns_message.hpp"

namespace skiff::dns {

class DnsMetrics {
 public:
  virtual ~DnsMetrics() = default;
  virtual void answered(std::uint16_t qtype, std::uint16_t rcode, Transport transport, bool truncated) {}
  virtual void dropped() {}
  virtual void forwarded(std::chrono::steady_clock::duration latency, bool answered) {}
  virtual void cache_lookup(bool hit) {}
  virtual void short_circuited() {}
};

struct MetricsSnapshot {
  std::map<std::uint16_t, std::uint64_t> by_qtype;  // 65535: any type above 255
  std::map<std::uint16_t, std::uint64_t> by_rcode;
  std::uint64_t udp = 0, tcp = 0, truncated = 0, dropped = 0;
  std::uint64_t cache_hits = 0, cache_misses = 0, short_circuits = 0;
  std::uint64_t forwards = 0, forward_failures = 0;
  std::chrono::nanoseconds forward_time{0};  // summed; divided by forwards, the mean latency
};

class CountingMetrics final : public DnsMetrics {
 public:
  void answered(std::uint16_t qtype, std::uint16_t rcode, Transport transport, bool truncated) override;
  void dropped() override { dropped_.fetch_add(1, std::memory_order_relaxed); }
  void forwarded(std::chrono::steady_clock::duration latency, bool answered) override;
  void cache_lookup(bool hit) override { (hit ? cache_hits_ : cache_misses_).fetch_add(1, std::memory_order_relaxed); }
  void short_circuited() override { short_circuits_.fetch_add(1, std::memory_order_relaxed); }

  MetricsSnapshot snapshot() const;

 private:
  using Counter = std::atomic<std::uint64_t>;
  std::array<Counter, 257> by_qtype_{};  // [256]: any type above 255
  std::array<Counter, 4096> by_rcode_{};
  Counter udp_{0}, tcp_{0}, truncated_{0}, dropped_{0};
  Counter cache_hits_{0}, cache_misses_{0}, short_circuits_{0};
  Counter forwards_{0}, forward_failures_{0}, forward_nanoseconds_{0};
};

}  // namespace skiff::dns
