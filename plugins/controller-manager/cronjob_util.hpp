// The CronJob controller's decisions, kept pure: which scheduled time is due now (and how many
// were missed), the Job's name and scheduled-timestamp annotation, and the Job it makes.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "skiff/api/batch/v1/batch.pb.h"
#include "skiff/sdk/cron_schedule.hpp"

namespace skiff::controllers {

inline constexpr const char* kCronJobScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";
inline constexpr int kMaxMissedStartTimes = 100;

struct ScheduleCheck {
  std::optional<std::chrono::sys_seconds> due;   // the most recent start time not yet run, if any
  std::optional<std::chrono::sys_seconds> next;  // the first start time after now
  bool too_many_missed = false;                  // more than 100 were missed: only the latest starts
  int missed = 0;
};

// Start times after `earliest` (the last schedule, else the CronJob's creation; no earlier than
// now - startingDeadlineSeconds) up to `now`.
ScheduleCheck check_schedule(const sdk::CronSchedule& schedule, const sdk::TimeZone& zone,
                             std::chrono::sys_seconds earliest, std::chrono::sys_seconds now,
                             std::optional<std::int64_t> starting_deadline_seconds);

// "<cronjob>-<minutes since the epoch>".
std::string job_name_for(const std::string& cron_job, std::chrono::sys_seconds scheduled);
// RFC 3339 with the zone's offset: "2026-03-29T03:00:00+02:00".
std::string format_in_zone(std::chrono::sys_seconds time, const sdk::TimeZone& zone);
// The Job for one scheduled run: the template's labels, annotations and spec, owned by the CronJob.
api::batch::v1::Job job_for_schedule(const api::batch::v1::CronJob& cron_job, std::chrono::sys_seconds scheduled,
                                     const sdk::TimeZone& zone);

}  // namespace skiff::controllers
