// The Forwarder the server uses: asks the upstream servers in order (the next one on a timeout,
// a network error, SERVFAIL or REFUSED), UDP with TCP on truncation, caches answers by TTL, and
// asks only once for a question many clients are waiting on.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "dns_metrics.hpp"
#include "forwarder.hpp"
#include "resolv_conf.hpp"

namespace skiff::dns {

struct ForwarderConfig {
  std::vector<UpstreamServer> upstreams;  // none: every question fails (SERVFAIL to clients)
  std::chrono::milliseconds timeout{2000};  // per server and transport
  std::size_t cache_capacity = 10000;       // responses; 0: no cache
  std::uint32_t max_cache_ttl = 3600;
  std::uint16_t udp_payload = 1232;         // the EDNS size we ask upstream with
};

class UpstreamForwarder final : public Forwarder {
 public:
  // Starts its own I/O thread. `metrics` must outlive it.
  UpstreamForwarder(ForwarderConfig config, DnsMetrics& metrics);
  ~UpstreamForwarder() override;  // stops; questions still in flight are never answered

  void resolve(const UpstreamQuestion& question, std::function<void(UpstreamReply)> done) override;

  std::size_t cached() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::dns
