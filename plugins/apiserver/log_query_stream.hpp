// The receiving end of a logging query's stream (skiff.<c>.stream.<id>): LogQueryResponse
// batches queued for the caller's thread; the addon's heartbeat requests are answered here, so
// the addon sees the caller is still there, and stop() ends a live tail at its source.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class LogQueryStream {
 public:
  // Subscribes before returning, so nothing the addon sends after the query is lost.
  LogQueryStream(sdk::Bus& bus, const sdk::Subjects& subjects);
  LogQueryStream(const LogQueryStream&) = delete;
  LogQueryStream& operator=(const LogQueryStream&) = delete;
  ~LogQueryStream();

  const std::string& subject() const { return subject_; }
  // The next batch (keepalives included: they have no entries), or nothing by `deadline`.
  std::optional<logging::v1::LogQueryResponse> next(std::chrono::steady_clock::time_point deadline);
  void stop();

 private:
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<logging::v1::LogQueryResponse> batches;
  };

  sdk::Bus& bus_;
  std::string subject_;
  std::shared_ptr<Queue> queue_;
  sdk::Subscription subscription_;
};

}  // namespace skiff::apiserver
