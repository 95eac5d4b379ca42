// Quantity parsing with the suffixes Kubernetes accepts (SI, binary, and decimal exponents).
#include "skiff/sdk/quantity.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace skiff::sdk {
namespace {

std::optional<long double> multiplier(std::string_view suffix) {
  if (suffix.empty()) return 1.0L;
  if (suffix == "n") return 1e-9L;
  if (suffix == "u") return 1e-6L;
  if (suffix == "m") return 1e-3L;
  if (suffix == "k") return 1e3L;
  if (suffix == "M") return 1e6L;
  if (suffix == "G") return 1e9L;
  if (suffix == "T") return 1e12L;
  if (suffix == "P") return 1e15L;
  if (suffix == "E") return 1e18L;
  if (suffix == "Ki") return 1024.0L;
  if (suffix == "Mi") return 1024.0L * 1024;
  if (suffix == "Gi") return 1024.0L * 1024 * 1024;
  if (suffix == "Ti") return 1024.0L * 1024 * 1024 * 1024;
  if (suffix == "Pi") return 1024.0L * 1024 * 1024 * 1024 * 1024;
  if (suffix == "Ei") return 1024.0L * 1024 * 1024 * 1024 * 1024 * 1024;
  if ((suffix[0] == 'e' || suffix[0] == 'E') && suffix.size() > 1) {
    int exponent = 0;
    auto [end, ec] = std::from_chars(suffix.data() + 1 + (suffix[1] == '+'), suffix.data() + suffix.size(), exponent);
    if (ec != std::errc() || end != suffix.data() + suffix.size()) return std::nullopt;
    return std::pow(10.0L, exponent);
  }
  return std::nullopt;
}

std::optional<long double> parse(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t i = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    ++i;
  }
  std::size_t number_start = i;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == number_start) return std::nullopt;
  long double number = 0;
  {
    double parsed = 0;
    auto [end, ec] = std::from_chars(text.data() + number_start, text.data() + i, parsed);
    if (ec != std::errc() || end != text.data() + i) return std::nullopt;
    number = parsed;
  }
  auto scale = multiplier(text.substr(i));
  if (!scale) return std::nullopt;
  return (negative ? -number : number) * *scale;
}

std::int64_t saturate(long double value) {
  constexpr auto max = static_cast<long double>(std::numeric_limits<std::int64_t>::max());
  if (value >= max) return std::numeric_limits<std::int64_t>::max();
  if (value <= -max) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(std::ceil(value - 1e-9L));  // absorb binary rounding noise, then round up
}

}  // namespace

std::optional<std::int64_t> parse_quantity_milli(std::string_view text) {
  auto value = parse(text);
  if (!value) return std::nullopt;
  return saturate(*value * 1000);
}

std::optional<std::int64_t> parse_quantity(std::string_view text) {
  auto value = parse(text);
  if (!value) return std::nullopt;
  return saturate(*value);
}

std::string format_cpu_milli(std::int64_t millicores) {
  if (millicores % 1000 == 0) return std::to_string(millicores / 1000);
  return std::to_string(millicores) + "m";
}

std::string format_bytes(std::int64_t bytes) {
  static constexpr const char* kSuffixes[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  for (int i = 0; i < 6; ++i) {
    std::int64_t unit = std::int64_t{1} << (10 * (6 - i));
    if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + kSuffixes[i];
  }
  return std::to_string(bytes);
}

}  // namespace skiff::sdk
