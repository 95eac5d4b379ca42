// Upstream answers kept for as long as their TTLs allow (negative ones per the SOA minimum,
// RFC 2308 §5), at most `capacity` of them, the least recently used going first.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "forwarder.hpp"

namespace skiff::dns {

// How long a response may be cached: the smallest TTL of its answer and authority records
// when it answers; for NXDOMAIN and NODATA the smaller of its SOA's TTL and minimum; nothing
// for errors, truncated responses and negatives without a SOA. Capped by `max_ttl`.
std::optional<std::uint32_t> cacheable_ttl(std::span<const std::uint8_t> message, std::uint32_t max_ttl);

class AnswerCache {
 public:
  using Clock = std::chrono::steady_clock;

  AnswerCache(std::size_t capacity, std::uint32_t max_ttl) : capacity_(capacity), max_ttl_(max_ttl) {}

  // The cached response and its age, while its TTL lasts.
  std::optional<UpstreamReply> find(const UpstreamQuestion& question, Clock::time_point now);
  // Keeps `message` if it may be cached; returns whether it was.
  bool store(const UpstreamQuestion& question, std::span<const std::uint8_t> message, Clock::time_point now);

  std::size_t size() const;

 private:
  struct Entry {
    std::vector<std::uint8_t> message;
    Clock::time_point stored;
    Clock::time_point expires;
    std::list<std::string>::iterator recency;
  };

  static std::string key_of(const UpstreamQuestion& question);

  const std::size_t capacity_;
  const std::uint32_t max_ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> recency_;  // most recent first
};

}  // namespace skiff::dns
