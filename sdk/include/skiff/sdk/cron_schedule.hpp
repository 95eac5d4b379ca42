// Cron schedules as Kubernetes' CronJobs read them (the five-field standard syntax with ranges,
// steps, lists, month and weekday names, and the @yearly … @hourly macros), and the next start
// after a moment in a time zone. Pure functions: the CronJob controller and the API server's
// validation share them, and tests drive them with any clock.
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string_view>

#include "skiff/sdk/time_zone.hpp"

namespace skiff::sdk {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // 1–31
  std::bitset<13> months;         // 1–12
  std::bitset<7> days_of_week;    // 0 = Sunday
  // A day field written as '*' or '?': then a day must match both day fields; otherwise
  // either one (cron's OR of day-of-month and day-of-week).
  bool any_day_of_month = false;
  bool any_day_of_week = false;
};

// Throws std::invalid_argument whose message says what is wrong ("expected exactly 5 fields,
// found 4: * * * *"), as Kubernetes reports it under spec.schedule.
CronSchedule parse_cron_schedule(std::string_view text);

// Whether a local calendar day is one the schedule runs on.
bool cron_day_matches(const CronSchedule& schedule, std::chrono::year_month_day day);

// The first start strictly after `after`, reading the schedule in `zone`'s wall-clock time:
// a local time skipped by a DST change does not run that day, one repeated runs twice (as
// Kubernetes' cron library does). nullopt when there is none within five years.
std::optional<std::chrono::sys_seconds> next_cron_time(const CronSchedule& schedule, const TimeZone& zone,
                                                       std::chrono::sys_seconds after);

}  // namespace skiff::sdk
