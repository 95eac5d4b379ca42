// The cron parser (robfig/cron's standard parser, which Kubernetes uses) and next-time search.
#include "skiff/sdk/cron_schedule.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

namespace skiff::sdk {
namespace {

using namespace std::chrono;

struct Bounds {
  int min;
  int max;
  const char* const* names;  // indexed from `min`, nullptr when the field has none
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec", nullptr};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", nullptr};

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == separator) parts.emplace_back();
    else parts.back() += c;
  }
  return parts;
}

std::vector<std::string> fields_of(std::string_view text) {
  std::vector<std::string> fields;
  std::string current;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) fields.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) fields.push_back(std::move(current));
  return fields;
}

int parse_int(const std::string& text, const std::string& expr) {
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    throw std::invalid_argument("failed to parse int from " + text + ": invalid syntax (in " + expr + ")");
  return std::stoi(text);
}

int value_of(const std::string& text, const Bounds& bounds, const std::string& expr) {
  if (bounds.names) {
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; bounds.names[i]; ++i)
      if (lower == bounds.names[i]) return bounds.min + i;
  }
  return parse_int(text, expr);
}

// One comma-separated part: "*", "?", "N", "N-M", each with an optional "/step". Returns
// whether it was a star (without a step above 1).
template <std::size_t N>
bool add_range(std::bitset<N>& bits, const std::string& expr, const Bounds& bounds) {
  auto range_and_step = split(expr, '/');
  if (range_and_step.size() > 2) throw std::invalid_argument("too many slashes: " + expr);
  auto low_and_high = split(range_and_step[0], '-');
  if (low_and_high.size() > 2) throw std::invalid_argument("too many hyphens: " + expr);
  int start, end, step = 1;
  bool star = false;
  if (low_and_high[0] == "*" || low_and_high[0] == "?") {
    if (low_and_high.size() > 1) throw std::invalid_argument("too many hyphens: " + expr);
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = value_of(low_and_high[0], bounds, expr);
    end = low_and_high.size() == 2 ? value_of(low_and_high[1], bounds, expr) : start;
  }
  if (range_and_step.size() == 2) {
    step = parse_int(range_and_step[1], expr);
    if (step <= 0) throw std::invalid_argument("step of range should be a positive number: " + expr);
    if (low_and_high.size() == 1 && !star) end = bounds.max;  // "N/step" means "N-max/step"
    if (step > 1) star = false;
  }
  if (start < bounds.min)
    throw std::invalid_argument("beginning of range (" + std::to_string(start) + ") below minimum (" +
                                std::to_string(bounds.min) + "): " + expr);
  if (end > bounds.max)
    throw std::invalid_argument("end of range (" + std::to_string(end) + ") above maximum (" +
                                std::to_string(bounds.max) + "): " + expr);
  if (start > end)
    throw std::invalid_argument("beginning of range (" + std::to_string(start) + ") beyond end of range (" +
                                std::to_string(end) + "): " + expr);
  for (int v = start; v <= end; v += step) bits.set(static_cast<std::size_t>(v));
  return star;
}

template <std::size_t N>
bool parse_field(std::bitset<N>& bits, const std::string& field, const Bounds& bounds) {
  bool star = false;
  for (const auto& part : split(field, ',')) star = add_range(bits, part, bounds) || star;
  return star;
}

std::string expand_macro(const std::string& text) {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  if (text.rfind("@every", 0) == 0)
    throw std::invalid_argument("@every is not supported by Kubernetes CronJobs; write a cron expression such as "
                                "'*/5 * * * *'");
  throw std::invalid_argument("unrecognized descriptor: " + text);
}

// The local wall-clock time of an instant.
sys_seconds local_of(const TimeZone& zone, sys_seconds t) { return t + zone.offset_at(t); }

}  // namespace

CronSchedule parse_cron_schedule(std::string_view raw) {
  std::string text(raw);
  auto fields = fields_of(text);
  if (fields.empty()) throw std::invalid_argument("empty spec string");
  if (fields[0].rfind("TZ=", 0) == 0 || fields[0].rfind("CRON_TZ=", 0) == 0)
    throw std::invalid_argument("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
  if (fields[0] == "@every")
    throw std::invalid_argument("@every is not supported by Kubernetes CronJobs; write a cron expression such as "
                                "'*/5 * * * *'");
  if (fields[0][0] == '@') {
    if (fields.size() != 1) throw std::invalid_argument("unrecognized descriptor: " + text);
    fields = fields_of(expand_macro(fields[0]));
  }
  if (fields.size() != 5)
    throw std::invalid_argument("expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + text);
  CronSchedule s;
  parse_field(s.minutes, fields[0], {0, 59, nullptr});
  parse_field(s.hours, fields[1], {0, 23, nullptr});
  s.any_day_of_month = parse_field(s.days_of_month, fields[2], {1, 31, nullptr});
  parse_field(s.months, fields[3], {1, 12, kMonthNames});
  s.any_day_of_week = parse_field(s.days_of_week, fields[4], {0, 6, kDayNames});
  return s;
}

bool cron_day_matches(const CronSchedule& s, year_month_day day) {
  if (!s.months.test(static_cast<unsigned>(day.month()))) return false;
  bool dom = s.days_of_month.test(static_cast<unsigned>(day.day()));
  bool dow = s.days_of_week.test(weekday(sys_days(day)).c_encoding());
  if (s.any_day_of_month || s.any_day_of_week) return dom && dow;
  return dom || dow;
}

std::optional<sys_seconds> next_cron_time(const CronSchedule& s, const TimeZone& zone, sys_seconds after) {
  // Walk instants (not wall-clock times), so DST gaps and repeats fall out as cron's do;
  // jumps skip whole non-matching days and hours.
  sys_seconds t = floor<minutes>(after) + minutes(1);
  const sys_seconds limit = t + days(5 * 366);
  while (t < limit) {
    sys_seconds local = local_of(zone, t);
    sys_days date = floor<days>(local);
    auto of_day = duration_cast<minutes>(local - date);
    auto hour = static_cast<std::size_t>(of_day.count() / 60), minute = static_cast<std::size_t>(of_day.count() % 60);
    if (!cron_day_matches(s, year_month_day(date))) {
      t += minutes(24 * 60) - of_day;
      // A DST change today moves the landing off midnight: step back to the new day's start.
      sys_seconds landed = local_of(zone, t);
      auto landed_of_day = landed - floor<days>(landed);
      if (landed_of_day.count() != 0 && floor<days>(landed) > date &&
          floor<days>(local_of(zone, t - landed_of_day)) == floor<days>(landed))
        t -= landed_of_day;
      continue;
    }
    if (!s.hours.test(hour)) {
      t += minutes(60 - static_cast<int>(minute));
      continue;
    }
    if (!s.minutes.test(minute)) {
      t += minutes(1);
      continue;
    }
    return t;
  }
  return std::nullopt;
}

}  // namespace skiff::sdk
