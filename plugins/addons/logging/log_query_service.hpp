// skiff.<c>.logging.query: LogQuery → the matching lines of the log stream, in the reply, in
// batches on a history stream, or followed live (follow_stream). Each accepted query runs on
// its own thread (SessionThreads); too many at once are refused with 429.
#pragma once

#include <atomic>
#include <string>

#include <spdlog/logger.h>

#include "log_filter.hpp"
#include "logging_settings.hpp"
#include "session_threads.hpp"
#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::logging {

// How often a long scan sends an empty batch on a history or follow stream, so the caller can
// tell a slow scan from a vanished addon.
inline constexpr std::chrono::seconds kKeepalive{5};

class LogQueryService {
 public:
  LogQueryService(sdk::Bus& bus, const sdk::Subjects& subjects, const Settings& settings, spdlog::logger& log);
  ~LogQueryService() { stop(); }
  void start();
  void stop();
  std::size_t follows_open() { return follows_.running(); }

  // Checks a query; throws sdk::Error(400) naming what is wrong. Returns its compiled filter.
  LogFilter check(const v1::LogQuery& query) const;

 private:
  void accept(const sdk::Request& request);
  void run(const sdk::Request& request, const v1::LogQuery& query, const LogFilter& filter,
           const std::atomic<bool>& stopping);
  // History (and then live lines) on the caller's stream, the request answered first.
  void run_streamed(const sdk::Request& request, const v1::LogQuery& query, const LogFilter& filter,
                    const std::atomic<bool>& stopping);
  void finish_stream(const std::string& stream, const std::string& error, bool truncated);

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  const Settings& settings_;
  spdlog::logger& log_;
  SessionThreads queries_;
  SessionThreads follows_;
  sdk::Subscription service_;
};

}  // namespace skiff::logging
