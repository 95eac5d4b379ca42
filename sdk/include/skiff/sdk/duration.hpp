// Durations as people write them in YAML: "250ms", "5s", "1m30s", "2h".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::sdk {

// Returns nullopt when text is not a duration; a bare integer means seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact form: 1500ms -> "1.5s", 90000ms -> "1m30s".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace skiff::sdk
