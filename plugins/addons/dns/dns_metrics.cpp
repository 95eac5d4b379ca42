// Relaxed atomic counters: each is independent, and a snapshot need not be a single instant.
#include "dns_metrics.hpp"

namespace skiff::dns {

void CountingMetrics::answered(std::uint16_t qtype, std::uint16_t rcode, Transport transport, bool truncated) {
  by_qtype_[qtype < 256 ? qtype : 256].fetch_add(1, std::memory_order_relaxed);
  by_rcode_[rcode & 0xfff].fetch_add(1, std::memory_order_relaxed);
  (transport == Transport::Udp ? udp_ : tcp_).fetch_add(1, std::memory_order_relaxed);
  if (truncated) truncated_.fetch_add(1, std::memory_order_relaxed);
}

void CountingMetrics::forwarded(std::chrono::steady_clock::duration latency, bool answered) {
  forwards_.fetch_add(1, std::memory_order_relaxed);
  if (!answered) forward_failures_.fetch_add(1, std::memory_order_relaxed);
  auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count();
  forward_nanoseconds_.fetch_add(static_cast<std::uint64_t>(nanoseconds), std::memory_order_relaxed);
}

MetricsSnapshot CountingMetrics::snapshot() const {
  MetricsSnapshot snapshot;
  for (std::size_t i = 0; i < by_qtype_.size(); ++i) {
    if (auto count = by_qtype_[i].load(std::memory_order_relaxed)) snapshot.by_qtype[i < 256 ? i : 65535] = count;
  }
  for (std::size_t i = 0; i < by_rcode_.size(); ++i) {
    if (auto count = by_rcode_[i].load(std::memory_order_relaxed)) snapshot.by_rcode[static_cast<std::uint16_t>(i)] = count;
  }
  snapshot.udp = udp_.load();
  snapshot.tcp = tcp_.load();
  snapshot.truncated = truncated_.load();
  snapshot.dropped = dropped_.load();
  snapshot.cache_hits = cache_hits_.load();
  snapshot.cache_misses = cache_misses_.load();
  snapshot.short_circuits = short_circuits_.load();
  snapshot.forwards = forwards_.load();
  snapshot.forward_failures = forward_failures_.load();
  snapshot.forward_time = std::chrono::nanoseconds(forward_nanoseconds_.load());
  return snapshot;
}

}  // namespace skiff::dns
