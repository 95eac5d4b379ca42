// The vip addon's configuration keys: the address, the interface, and the lease's timings.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "skiff/sdk/config.hpp"

namespace skiff::vip {

struct Settings {
  std::string address;    // "10.213.15.5/24" as written
  std::string interface;  // where the address goes (the master's LAN interface)
  std::string lease_name;
  std::chrono::milliseconds lease_duration{};
  std::chrono::milliseconds renew_deadline{};
  std::chrono::milliseconds retry_period{};
  std::int64_t garp_count = 0;
  std::chrono::milliseconds garp_interval{};
  // Parsed from `address`.
  std::uint32_t ip = 0;
  int prefix = 32;
};

// The keys with types, defaults and descriptions (the plugin's manifest and README table).
sdk::ConfigTable config_table();
// Throws sdk::Error(422) naming the key when a value is wrong (a bad address, timings that let
// two masters hold the address at once).
Settings read_settings(const sdk::Config& config);

// "10.0.0.5/24" or "10.0.0.5" (a /32) → ip and prefix in `settings`; throws Error(422).
void parse_address(Settings& settings);

}  // namespace skiff::vip
