// IANA time zones read from the system's tz database (TZif files under /usr/share/zoneinfo or
// $TZDIR), because this toolchain's libstdc++ has no std::chrono::locate_zone yet.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::sdk {

class TimeZone {
 public:
  // UTC, which needs no database.
  TimeZone() = default;
  // Throws std::invalid_argument ("unknown time zone Mars/Olympus") for a name the database
  // does not hold; "Local" is refused, as Kubernetes wants an explicit zone.
  static TimeZone load(std::string_view name);

  const std::string& name() const { return name_; }
  // The zone's offset from UTC at that instant (DST included).
  std::chrono::seconds offset_at(std::chrono::sys_seconds instant) const;

 private:
  std::string name_ = "UTC";
  std::vector<std::int64_t> transitions_;  // seconds since the epoch, ascending
  std::vector<std::int32_t> offset_after_;  // the offset from each transition on
  std::int32_t initial_offset_ = 0;  // before the first transition
};

}  // namespace skiff::sdk
