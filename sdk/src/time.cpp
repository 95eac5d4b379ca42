// UTC formatting and parsing without locale or TZ surprises.
#include "skiff/sdk/time.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace skiff::sdk {

std::string format_rfc3339(WallClock::time_point time) {
  std::time_t seconds = WallClock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string format_rfc3339_micro(WallClock::time_point time) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count() % 1000000;
  std::string text = format_rfc3339(time);
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%06lldZ", static_cast<long long>(micros < 0 ? micros + 1000000 : micros));
  return text.substr(0, text.size() - 1) + fraction;
}

std::string now_rfc3339() { return format_rfc3339(WallClock::now()); }

std::string format_rfc3339_nano(std::int64_t unix_nano) {
  std::int64_t seconds = unix_nano / 1000000000, nanos = unix_nano % 1000000000;
  if (nanos < 0) {  // before 1970: the fraction counts forward from the second below
    nanos += 1000000000;
    --seconds;
  }
  std::string text = format_rfc3339(WallClock::time_point(std::chrono::seconds(seconds)));
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%09lldZ", static_cast<long long>(nanos));
  return text.substr(0, text.size() - 1) + fraction;
}

std::optional<std::int64_t> parse_rfc3339_nano(std::string_view text) {
  // The fraction is read here, to nine digits; the rest (without it) by parse_rfc3339.
  std::string without_fraction(text);
  std::int64_t nanos = 0;
  if (std::size_t dot = text.find('.'); dot != std::string_view::npos) {
    std::size_t end = dot + 1;
    int digits = 0;
    for (; end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])); ++end)
      if (digits < 9) {
        nanos = nanos * 10 + (text[end] - '0');
        ++digits;
      }
    if (end == dot + 1) return std::nullopt;
    while (digits++ < 9) nanos *= 10;
    without_fraction = std::string(text.substr(0, dot)) + std::string(text.substr(end));
  }
  auto whole = parse_rfc3339(without_fraction);
  if (!whole) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(whole->time_since_epoch()).count() * 1000000000 + nanos;
}

std::optional<WallClock::time_point> parse_rfc3339(std::string_view text) {
  std::tm utc{};
  int consumed = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &utc.tm_year, &utc.tm_mon, &utc.tm_mday, &utc.tm_hour,
                  &utc.tm_min, &utc.tm_sec, &consumed) != 6)
    return std::nullopt;
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  auto time = WallClock::from_time_t(timegm(&utc));
  std::string_view rest = text.substr(static_cast<std::size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {  // fractional seconds
    std::size_t i = 1;
    long long micros = 0;
    int digits = 0;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) {
      if (digits < 6) {
        micros = micros * 10 + (rest[i] - '0');
        ++digits;
      }
      ++i;
    }
    while (digits++ < 6) micros *= 10;
    time += std::chrono::microseconds(micros);
    rest = rest.substr(i);
  }
  if (rest == "Z" || rest.empty()) return time;
  int sign = rest[0] == '-' ? -1 : rest[0] == '+' ? 1 : 0;
  int hours = 0, minutes = 0;
  if (!sign || std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &hours, &minutes) != 2) return std::nullopt;
  return time - sign * (std::chrono::hours(hours) + std::chrono::minutes(minutes));
}

std::string human_duration(std::chrono::seconds age) {
  long long s = age.count();
  // A second or so in the future is clock skew; more is a time that cannot be right.
  if (s < -1) return "<invalid>";
  if (s < 0) s = 0;
  if (s < 120) return std::to_string(s) + "s";
  long long m = s / 60;
  if (m < 10) {
    long long rest = s % 60;
    return std::to_string(m) + "m" + (rest ? std::to_string(rest) + "s" : "");
  }
  if (m < 180) return std::to_string(m) + "m";
  long long h = s / 3600;
  if (h < 8) {
    long long rest = m % 60;
    return std::to_string(h) + "h" + (rest ? std::to_string(rest) + "m" : "");
  }
  if (h < 48) return std::to_string(h) + "h";
  long long d = h / 24;
  if (d < 8) {
    long long rest = h % 24;
    return std::to_string(d) + "d" + (rest ? std::to_string(rest) + "h" : "");
  }
  if (d < 365 * 2) return std::to_string(d) + "d";
  if (d < 365 * 8 && d % 365 != 0) return std::to_string(d / 365) + "y" + std::to_string(d % 365) + "d";
  return std::to_string(d / 365) + "y";
}

std::string age_since(std::string_view rfc3339, WallClock::time_point now) {
  auto time = parse_rfc3339(rfc3339);
  if (!time) return "<unknown>";
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *time));
}

}  // namespace skiff::sdk
