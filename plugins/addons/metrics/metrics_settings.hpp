// The metrics addon's configuration keys; every bad value is refused before anything starts.
#pragma once

#include <chrono>
#include <cstdint>

#include "skiff/sdk/config.hpp"

namespace skiff::metrics {

struct Settings {
  std::chrono::milliseconds period{};          // between two collections (metrics-server's --metric-resolution)
  std::chrono::milliseconds scrape_timeout{};  // per node
  std::int64_t scrape_workers = 0;             // nodes asked at once
};

// The keys with types, defaults and descriptions (the plugin's manifest and README table).
sdk::ConfigTable config_table();
// Throws sdk::Error(422) naming the key when a value is out of range.
Settings read_settings(const sdk::Config& config);

}  // namespace skiff::metrics
