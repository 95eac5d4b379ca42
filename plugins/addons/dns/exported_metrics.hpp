// The server's hooks written straight into the node's metrics (Prometheus text on the bus):
// counters are looked up once here, so a query costs a few relaxed atomic adds.
#pragma once

#include <array>

#include "dns_metrics.hpp"
#include "skiff/sdk/metrics.hpp"

namespace skiff::dns {

class ExportedMetrics final : public DnsMetrics {
 public:
  explicit ExportedMetrics(sdk::Metrics& metrics);

  void answered(std::uint16_t qtype, std::uint16_t rcode, Transport transport, bool truncated) override;
  void dropped() override { dropped_.inc(); }
  void forwarded(std::chrono::steady_clock::duration latency, bool answered) override;
  void cache_lookup(bool hit) override { (hit ? cache_hits_ : cache_misses_).inc(); }
  void short_circuited() override { short_circuits_.inc(); }

 private:
  static constexpr std::array<std::uint16_t, 11> kTypes = {1, 2, 5, 6, 12, 15, 16, 28, 33, 65, 255};
  static constexpr std::array<std::uint16_t, 7> kRcodes = {0, 1, 2, 3, 4, 5, 16};

  std::array<sdk::Counter*, kTypes.size() + 1> by_type_{};  // last: other
  std::array<sdk::Counter*, kRcodes.size() + 1> by_rcode_{};
  sdk::Counter& udp_;
  sdk::Counter& tcp_;
  sdk::Counter& truncated_;
  sdk::Counter& dropped_;
  sdk::Counter& cache_hits_;
  sdk::Counter& cache_misses_;
  sdk::Counter& short_circuits_;
  sdk::Counter& forward_failures_;
  sdk::Histogram& forward_latency_;
};

}  // namespace skiff::dns
