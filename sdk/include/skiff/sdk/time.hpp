// Times as Kubernetes writes them: RFC 3339 in UTC ("2026-11-27T01:02:03Z"), and ages ("5m", "2d3h").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::sdk {

using WallClock = std::chrono::system_clock;

std::string format_rfc3339(WallClock::time_point time);
// With microseconds, for Event.eventTime (MicroTime): "2026-11-27T01:02:03.123456Z".
std::string format_rfc3339_micro(WallClock::time_point time);
std::string now_rfc3339();
std::optional<WallClock::time_point> parse_rfc3339(std::string_view text);
// With nanoseconds, as container runtimes stamp log lines: "2026-11-27T01:02:03.123456789Z"
// (always nine digits, so stamps sort as text too).
std::string format_rfc3339_nano(std::int64_t unix_nano);
// Any RFC 3339 time (fraction of up to nine digits kept, more cut) as unix nanoseconds.
std::optional<std::int64_t> parse_rfc3339_nano(std::string_view text);

// Kubernetes' HumanDuration: "45s", "5m", "3h", "2d3h", "400d", "2y70d"; "<invalid>" for a
// time more than a second in the future.
std::string human_duration(std::chrono::seconds age);
// The age of a timestamp for table cells; "<unknown>" when it cannot be parsed.
std::string age_since(std::string_view rfc3339, WallClock::time_point now = WallClock::now());

}  // namespace skiff::sdk
