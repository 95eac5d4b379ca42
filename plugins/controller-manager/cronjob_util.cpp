// Pure CronJob computations (see cronjob_util.hpp).
#include "cronjob_util.hpp"

#include <cstdio>

#include "pod_state.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::controllers {

using namespace std::chrono;

ScheduleCheck check_schedule(const sdk::CronSchedule& schedule, const sdk::TimeZone& zone, sys_seconds earliest,
                             sys_seconds now, std::optional<std::int64_t> starting_deadline_seconds) {
  if (starting_deadline_seconds) earliest = std::max(earliest, now - seconds(*starting_deadline_seconds));
  ScheduleCheck check;
  auto t = sdk::next_cron_time(schedule, zone, earliest);
  while (t && *t <= now) {
    check.due = t;
    ++check.missed;
    // Far behind (a minutely schedule stopped for months): jump to the last day's start times.
    if (check.missed == 10000) {
      auto recent = sdk::next_cron_time(schedule, zone, now - days(1));
      if (recent && *recent > *t && *recent <= now) t = recent;
      else t = sdk::next_cron_time(schedule, zone, *t);
      continue;
    }
    t = sdk::next_cron_time(schedule, zone, *t);
  }
  check.next = t;
  check.too_many_missed = check.missed > kMaxMissedStartTimes;
  return check;
}

std::string job_name_for(const std::string& cron_job, sys_seconds scheduled) {
  return cron_job + "-" + std::to_string(duration_cast<minutes>(scheduled.time_since_epoch()).count());
}

std::string format_in_zone(sys_seconds time, const sdk::TimeZone& zone) {
  seconds offset = zone.offset_at(time);
  sys_seconds local = time + offset;
  auto day = floor<days>(local);
  year_month_day ymd(day);
  hh_mm_ss clock(local - day);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02ld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<long>(clock.hours().count()),
                static_cast<long>(clock.minutes().count()), static_cast<long>(clock.seconds().count()));
  std::string text = buffer;
  if (offset == seconds(0)) return text + "Z";
  long total = static_cast<long>(offset.count());
  char sign = total < 0 ? '-' : '+';
  total = total < 0 ? -total : total;
  std::snprintf(buffer, sizeof buffer, "%c%02ld:%02ld", sign, total / 3600, (total % 3600) / 60);
  return text + buffer;
}

api::batch::v1::Job job_for_schedule(const api::batch::v1::CronJob& cron_job, sys_seconds scheduled,
                                     const sdk::TimeZone& zone) {
  api::batch::v1::Job job;
  auto* meta = job.mutable_metadata();
  const auto& tmpl = cron_job.spec().job_template();
  *meta->mutable_labels() = tmpl.metadata().labels();
  *meta->mutable_annotations() = tmpl.metadata().annotations();
  (*meta->mutable_annotations())[kCronJobScheduledTimestampAnnotation] = format_in_zone(scheduled, zone);
  meta->set_name(job_name_for(cron_job.metadata().name(), scheduled));
  meta->set_namespace_(cron_job.metadata().namespace_());
  *meta->add_owner_references() = controller_reference(cron_job.metadata(), sdk::resource_type_of<api::batch::v1::CronJob>());
  *job.mutable_spec() = tmpl.spec();
  return job;
}

}  // namespace skiff::controllers
