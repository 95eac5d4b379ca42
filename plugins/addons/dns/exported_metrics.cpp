// Names after CoreDNS's where one exists (requests by type, responses by rcode, cache hits,
// forward latency), prefixed skiff_dns_.
#include "exported_metrics.hpp"

#include <algorithm>

namespace skiff::dns {

namespace {

const char* type_name(std::uint16_t type) {
  switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 65: return "HTTPS";
    case 255: return "ANY";
    default: return "other";
  }
}

const char* rcode_name(std::uint16_t rcode) {
  switch (rcode) {
    case 0: return "NOERROR";
    case 1: return "FORMERR";
    case 2: return "SERVFAIL";
    case 3: return "NXDOMAIN";
    case 4: return "NOTIMP";
    case 5: return "REFUSED";
    case 16: return "BADVERS";
    default: return "other";
  }
}

template <std::size_t N>
std::size_t slot(const std::array<std::uint16_t, N>& known, std::uint16_t value) {
  return static_cast<std::size_t>(std::find(known.begin(), known.end(), value) - known.begin());
}

// Forward latencies from 0.1 ms to 5 s.
const std::vector<double> kForwardBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5};

}  // namespace

ExportedMetrics::ExportedMetrics(sdk::Metrics& metrics)
    : udp_(metrics.counter("skiff_dns_requests_by_proto_total", "Queries answered, by transport", {{"proto", "udp"}})),
      tcp_(metrics.counter("skiff_dns_requests_by_proto_total", "Queries answered, by transport", {{"proto", "tcp"}})),
      truncated_(metrics.counter("skiff_dns_truncated_total", "UDP answers cut short with TC set")),
      dropped_(metrics.counter("skiff_dns_dropped_total", "Messages dropped unanswered (responses, runts)")),
      cache_hits_(metrics.counter("skiff_dns_cache_hits_total", "Forwarded questions answered from the cache")),
      cache_misses_(metrics.counter("skiff_dns_cache_misses_total", "Forwarded questions not in the cache")),
      short_circuits_(metrics.counter("skiff_dns_short_circuits_total",
                                      "Search-path first steps answered with the final answer (autopath)")),
      forward_failures_(metrics.counter("skiff_dns_forward_failures_total", "Upstream questions without an answer")),
      forward_latency_(metrics.histogram("skiff_dns_forward_duration_seconds", "Time for an upstream's answer",
                                         kForwardBuckets)) {
  for (std::size_t i = 0; i <= kTypes.size(); ++i)
    by_type_[i] = &metrics.counter("skiff_dns_requests_total", "Queries answered, by question type",
                                   {{"type", i < kTypes.size() ? type_name(kTypes[i]) : "other"}});
  for (std::size_t i = 0; i <= kRcodes.size(); ++i)
    by_rcode_[i] = &metrics.counter("skiff_dns_responses_total", "Responses, by rcode",
                                    {{"rcode", i < kRcodes.size() ? rcode_name(kRcodes[i]) : "other"}});
}

void ExportedMetrics::answered(std::uint16_t qtype, std::uint16_t rcode, Transport transport, bool truncated) {
  by_type_[slot(kTypes, qtype)]->inc();
  by_rcode_[slot(kRcodes, rcode)]->inc();
  (transport == Transport::Tcp ? tcp_ : udp_).inc();
  if (truncated) truncated_.inc();
}

void ExportedMetrics::forwarded(std::chrono::steady_clock::duration latency, bool answered) {
  forward_latency_.observe(std::chrono::duration<double>(latency).count());
  if (!answered) forward_failures_.inc();
}

}  // namespace skiff::dns
