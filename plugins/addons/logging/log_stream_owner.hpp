// The log stream SKIFF_LOGS_<cluster>: created by the addon, its limits brought to the config
// at every start, recreated if it goes missing while the addon runs.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include <spdlog/logger.h>

#include "logging_settings.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::logging {

// The stream's settings for this config with `replicas` copies.
sdk::StreamSettings stream_settings(const sdk::Subjects& subjects, const Settings& settings, int replicas);

class LogStreamOwner {
 public:
  LogStreamOwner(sdk::JetStream& js, const sdk::Subjects& subjects, const Settings& settings, spdlog::logger& log);

  // Creates or updates the stream. With replicas `auto`, asks for 3 copies and settles for
  // fewer when the NATS cluster has fewer servers. Throws sdk::Error (503: no JetStream).
  sdk::StreamState ensure();
  // The stream's state, recreating it when it went missing; at most every few seconds.
  sdk::StreamState check();

 private:
  sdk::JetStream& js_;
  const sdk::Subjects& subjects_;
  const Settings& settings_;
  spdlog::logger& log_;
  std::mutex mutex_;
  sdk::StreamState last_;
  std::chrono::steady_clock::time_point checked_{};
};

}  // namespace skiff::logging
