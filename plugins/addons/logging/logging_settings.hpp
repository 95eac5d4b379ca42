// The logging addon's configuration keys; every bad value is refused before anything starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "skiff/sdk/config.hpp"

namespace skiff::logging {

struct Settings {
  std::chrono::milliseconds max_age{};           // lines older than this leave the stream
  std::string max_bytes_text;                    // as written ("1Gi")
  std::int64_t max_bytes = 0;                    // parsed: the oldest lines go past this
  std::string replicas_text;                     // "auto" or a number
  int replicas = 0;                              // parsed: 0 for auto (the NATS cluster's size, at most 3)
  std::chrono::milliseconds duplicate_window{};  // a shipper's batch sent again within it is stored once
  std::int64_t default_limit = 0;                // lines per query when the query names no limit
  std::int64_t max_limit = 0;                    // the largest limit a query may ask for
  std::chrono::milliseconds query_timeout{};     // how long one scan of the stream may take
  std::int64_t max_queries = 0;                  // history queries answered at once
  std::int64_t max_follows = 0;                  // live tails open at once
};

// The keys with types, defaults and descriptions (the plugin's manifest and README table).
sdk::ConfigTable config_table();
// Throws sdk::Error(422) naming the key when a value is out of range.
Settings read_settings(const sdk::Config& config);

}  // namespace skiff::logging
