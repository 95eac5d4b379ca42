// Kubernetes resource quantities: "100m", "0.5", "2", "128Mi", "1G", "1e3".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::sdk {

// The quantity in thousandths (CPU: millicores; memory: milli-bytes), rounded up; saturates
// at INT64_MAX. nullopt when the text is not a quantity.
std::optional<std::int64_t> parse_quantity_milli(std::string_view text);

// The quantity in whole units (bytes, pods), rounded up.
std::optional<std::int64_t> parse_quantity(std::string_view text);

// 250 → "250m", 2000 → "2"
std::string format_cpu_milli(std::int64_t millicores);
// 134217728 → "128Mi"; other values in plain bytes
std::string format_bytes(std::int64_t bytes);

}  // namespace skiff::sdk
