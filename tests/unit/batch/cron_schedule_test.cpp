// The cron parser and next-time search CronJobs use: syntax as Kubernetes accepts it, and start
// times across DST changes, leap days and cron's day-of-month OR day-of-week rule.
#include <gtest/gtest.h>

#include <stdexcept>

#include "skiff/sdk/cron_schedule.hpp"
#include "skiff/sdk/time.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;

sys_seconds at(const std::string& rfc3339) { return floor<seconds>(*sdk::parse_rfc3339(rfc3339)); }
std::string text(sys_seconds t) { return sdk::format_rfc3339(system_clock::time_point(t)); }

std::string next(const std::string& schedule, const std::string& after, const sdk::TimeZone& zone = {}) {
  auto t = sdk::next_cron_time(sdk::parse_cron_schedule(schedule), zone, at(after));
  return t ? text(*t) : "never";
}

std::string parse_error(const std::string& schedule) {
  try {
    sdk::parse_cron_schedule(schedule);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(CronSchedule, FieldsRangesStepsListsAndNames) {
  auto s = sdk::parse_cron_schedule("*/15 9-17/4 1,15 jan-MAR mon-fri");
  EXPECT_EQ(s.minutes.count(), 4u);
  EXPECT_TRUE(s.minutes.test(0) && s.minutes.test(45));
  EXPECT_EQ(s.hours.count(), 3u);  // 9, 13, 17
  EXPECT_TRUE(s.hours.test(13));
  EXPECT_EQ(s.days_of_month.count(), 2u);
  EXPECT_EQ(s.months.count(), 3u);
  EXPECT_TRUE(s.months.test(3));
  EXPECT_EQ(s.days_of_week.count(), 5u);
  EXPECT_FALSE(s.days_of_week.test(0));
  EXPECT_FALSE(s.any_day_of_month);
  // "N/step" runs from N to the end of the range.
  auto from = sdk::parse_cron_schedule("50/5 * * * *");
  EXPECT_EQ(from.minutes.count(), 2u);
}

TEST(CronSchedule, MacrosAreTheirExpressions) {
  EXPECT_EQ(next("@hourly", "2026-11-30T10:30:00Z"), "2026-11-30T11:00:00Z");
  EXPECT_EQ(next("@daily", "2026-11-30T10:30:00Z"), "2026-12-01T00:00:00Z");
  EXPECT_EQ(next("@midnight", "2026-11-30T10:30:00Z"), "2026-12-01T00:00:00Z");
  EXPECT_EQ(next("@weekly", "2026-11-30T10:30:00Z"), "2026-12-06T00:00:00Z");  // a Sunday
  EXPECT_EQ(next("@monthly", "2026-11-30T10:30:00Z"), "2026-12-01T00:00:00Z");
  EXPECT_EQ(next("@yearly", "2026-11-30T10:30:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(next("@annually", "2026-11-30T10:30:00Z"), "2027-01-01T00:00:00Z");
}

TEST(CronSchedule, RefusesWhatKubernetesRefuses) {
  EXPECT_EQ(parse_error("* * * *"), "expected exactly 5 fields, found 4: * * * *");
  EXPECT_EQ(parse_error("* * * * * *"), "expected exactly 5 fields, found 6: * * * * * *");
  EXPECT_EQ(parse_error("60 * * * *"), "end of range (60) above maximum (59): 60");
  EXPECT_EQ(parse_error("* * 0 * *"), "beginning of range (0) below minimum (1): 0");
  EXPECT_EQ(parse_error("5-1 * * * *"), "beginning of range (5) beyond end of range (1): 5-1");
  EXPECT_EQ(parse_error("*/0 * * * *"), "step of range should be a positive number: */0");
  EXPECT_EQ(parse_error("* * * * 7"), "end of range (7) above maximum (6): 7");
  EXPECT_EQ(parse_error("1-2-3 * * * *"), "too many hyphens: 1-2-3");
  EXPECT_EQ(parse_error("* * * foo *"), "failed to parse int from foo: invalid syntax (in foo)");
  EXPECT_EQ(parse_error("@fortnightly"), "unrecognized descriptor: @fortnightly");
  EXPECT_NE(parse_error("@every 5m").find("@every is not supported"), std::string::npos);
  EXPECT_EQ(parse_error("TZ=UTC * * * * *"), "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
  EXPECT_EQ(parse_error(""), "empty spec string");
}

TEST(CronSchedule, NextIsStrictlyAfter) {
  EXPECT_EQ(next("* * * * *", "2026-11-30T10:30:00Z"), "2026-11-30T10:31:00Z");
  EXPECT_EQ(next("* * * * *", "2026-11-30T10:30:59Z"), "2026-11-30T10:31:00Z");
  EXPECT_EQ(next("0 * * * *", "2026-11-30T10:00:00Z"), "2026-11-30T11:00:00Z");
  EXPECT_EQ(next("15 3 * * *", "2026-12-31T04:00:00Z"), "2027-01-01T03:15:00Z");
}

TEST(CronSchedule, LeapDayComesEveryFourYears) {
  EXPECT_EQ(next("0 0 29 2 *", "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next("0 12 29 feb *", "2028-02-29T12:00:00Z"), "2032-02-29T12:00:00Z");
  EXPECT_EQ(next("0 0 31 2 *", "2026-01-01T00:00:00Z"), "never");  // February has no 31st
}

TEST(CronSchedule, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // 2026-11-01 is a Sunday: "the 1st, or a Monday".
  EXPECT_EQ(next("0 0 1 * 1", "2026-11-01T00:00:00Z"), "2026-11-02T00:00:00Z");
  EXPECT_EQ(next("0 0 1 * 1", "2026-11-30T00:00:00Z"), "2026-12-01T00:00:00Z");  // a Tuesday, the 1st
  // A star in one day field: the other alone decides.
  EXPECT_EQ(next("0 0 1 * *", "2026-11-01T00:00:00Z"), "2026-12-01T00:00:00Z");
  EXPECT_EQ(next("0 0 * * 1", "2026-11-30T00:00:00Z"), "2026-12-07T00:00:00Z");
  // A stepped star is a restriction, as in cron: "every other day of the month, or a Friday".
  EXPECT_EQ(next("0 0 */2 * 5", "2026-11-01T00:00:00Z"), "2026-11-03T00:00:00Z");
  EXPECT_EQ(next("0 0 */10 * 5", "2026-11-01T00:00:00Z"), "2026-11-06T00:00:00Z");
}

TEST(CronSchedule, ReadsTheScheduleInItsTimeZone) {
  auto kolkata = sdk::TimeZone::load("Asia/Kolkata");  // +05:30, no DST
  EXPECT_EQ(next("0 9 * * *", "2026-11-30T00:00:00Z", kolkata), "2026-11-30T03:30:00Z");
  auto berlin = sdk::TimeZone::load("Europe/Berlin");
  EXPECT_EQ(next("0 9 * * *", "2026-01-10T00:00:00Z", berlin), "2026-01-10T08:00:00Z");  // CET
  EXPECT_EQ(next("0 9 * * *", "2026-07-10T00:00:00Z", berlin), "2026-07-10T07:00:00Z");  // CEST
}

TEST(CronSchedule, ASkippedLocalTimeDoesNotRunThatDay) {
  // New York springs forward at 02:00 on 2026-03-08: 02:30 does not exist that day.
  auto ny = sdk::TimeZone::load("America/New_York");
  EXPECT_EQ(next("30 2 * * *", "2026-03-07T12:00:00Z", ny), "2026-03-09T06:30:00Z");
  EXPECT_EQ(next("30 3 * * *", "2026-03-07T12:00:00Z", ny), "2026-03-08T07:30:00Z");  // 03:30 EDT
  EXPECT_EQ(next("0 * * * *", "2026-03-08T06:30:00Z", ny), "2026-03-08T07:00:00Z");  // 01:00 EST → 03:00 EDT
}

TEST(CronSchedule, ARepeatedLocalTimeRunsTwice) {
  // New York falls back at 02:00 on 2026-11-01: 01:30 happens in EDT, then again in EST.
  auto ny = sdk::TimeZone::load("America/New_York");
  EXPECT_EQ(next("30 1 * * *", "2026-10-31T12:00:00Z", ny), "2026-11-01T05:30:00Z");
  EXPECT_EQ(next("30 1 * * *", "2026-11-01T05:30:00Z", ny), "2026-11-01T06:30:00Z");
  EXPECT_EQ(next("30 1 * * *", "2026-11-01T06:30:00Z", ny), "2026-11-02T06:30:00Z");
}

TEST(CronSchedule, MidnightOnTheDayAfterAChange) {
  // Skipping non-matching days must land on local midnight even when the day had a DST change.
  auto ny = sdk::TimeZone::load("America/New_York");
  EXPECT_EQ(next("15 0 * * 1", "2026-03-07T12:00:00Z", ny), "2026-03-09T04:15:00Z");  // Monday 00:15 EDT
  EXPECT_EQ(next("15 0 * * 1", "2026-10-31T12:00:00Z", ny), "2026-11-02T05:15:00Z");  // Monday 00:15 EST
}

TEST(TimeZone, UnknownAndLocalNamesAreRefused) {
  EXPECT_THROW(sdk::TimeZone::load("Mars/Olympus_Mons"), std::invalid_argument);
  EXPECT_THROW(sdk::TimeZone::load("Local"), std::invalid_argument);
  EXPECT_THROW(sdk::TimeZone::load("../etc/passwd"), std::invalid_argument);
  try {
    sdk::TimeZone::load("Mars/Olympus_Mons");
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "unknown time zone Mars/Olympus_Mons");
  }
  EXPECT_EQ(sdk::TimeZone::load("UTC").offset_at(at("2026-07-01T00:00:00Z")), seconds(0));
}

}  // namespace
