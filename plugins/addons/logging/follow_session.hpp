// A live tail: new matching lines from the log stream (an ordered consumer, no gaps or
// repeats), sent to the caller's stream subject in batches until the caller publishes to
// "<stream>.stop", stops answering the heartbeat (a request on the stream subject nobody is
// subscribed to any more), or the addon stops.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "log_filter.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/jetstream.hpp"

namespace skiff::logging {

// How often a caller is asked whether it is still there; callers may take 6 heartbeats of
// silence as the addon being gone.
inline constexpr std::chrono::seconds kHeartbeat{5};

struct FollowTarget {
  std::string caller_stream;   // the query's follow_stream
  std::string log_stream;      // SKIFF_LOGS_<cluster>
  std::string subject_filter;  // LogFilter::subject_filter
  std::uint64_t from_sequence = 1;
};

class FollowSession {
 public:
  FollowSession(sdk::Bus& bus, sdk::JetStream& js, const LogFilter& filter, FollowTarget target)
      : bus_(bus), js_(js), filter_(filter), target_(std::move(target)) {}

  // Returns why the tail ended badly, or "" when the caller ended it (or the addon stopped).
  std::string run(const std::atomic<bool>& stopping);

 private:
  sdk::Bus& bus_;
  sdk::JetStream& js_;
  const LogFilter& filter_;
  FollowTarget target_;
};

}  // namespace skiff::logging
