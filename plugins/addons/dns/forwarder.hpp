// How the server asks about names outside its zones: an interface, so answering stays testable
// and the upstream side (UpstreamForwarder, or anything else) is swappable.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "dns_name.hpp"

namespace skiff::dns {

struct UpstreamQuestion {
  WireName name;  // lowercase
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 1;  // IN
  bool dnssec_ok = false;    // ask for DNSSEC records too (the client's DO bit)
  friend bool operator==(const UpstreamQuestion&, const UpstreamQuestion&) = default;
};

struct UpstreamReply {
  enum class Status { Answered, Failed };
  Status status = Status::Failed;
  std::vector<std::uint8_t> message;  // the upstream's response, as it came (or was cached)
  std::uint32_t age_seconds = 0;      // time spent in a cache: to take off its TTLs
  bool from_cache = false;
};

class Forwarder {
 public:
  virtual ~Forwarder() = default;
  // Asks upstream; `done` runs exactly once, on any thread, possibly before resolve returns.
  virtual void resolve(const UpstreamQuestion& question, std::function<void(UpstreamReply)> done) = 0;
};

}  // namespace skiff::dns
