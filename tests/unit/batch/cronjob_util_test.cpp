// The CronJob controller's decisions: what is due, missed start times, Job names and annotations.
#include <gtest/gtest.h>

#include "cronjob_util.hpp"
#include "skiff/sdk/time.hpp"

namespace {

using namespace skiff;
using namespace skiff::controllers;
using namespace std::chrono;

sys_seconds at(const std::string& rfc3339) { return floor<seconds>(*sdk::parse_rfc3339(rfc3339)); }
std::string text(std::optional<sys_seconds> t) { return t ? sdk::format_rfc3339(system_clock::time_point(*t)) : "none"; }

const sdk::CronSchedule kEveryMinute = sdk::parse_cron_schedule("* * * * *");

TEST(CronJobSchedule, NothingDueBeforeTheFirstStart) {
  auto check = check_schedule(kEveryMinute, {}, at("2026-11-30T10:00:10Z"), at("2026-11-30T10:00:50Z"), std::nullopt);
  EXPECT_EQ(text(check.due), "none");
  EXPECT_EQ(text(check.next), "2026-11-30T10:01:00Z");
}

TEST(CronJobSchedule, TheLatestMissedStartIsDue) {
  auto check = check_schedule(kEveryMinute, {}, at("2026-11-30T10:00:10Z"), at("2026-11-30T10:03:30Z"), std::nullopt);
  EXPECT_EQ(text(check.due), "2026-11-30T10:03:00Z");
  EXPECT_EQ(check.missed, 3);
  EXPECT_FALSE(check.too_many_missed);
  EXPECT_EQ(text(check.next), "2026-11-30T10:04:00Z");
}

TEST(CronJobSchedule, MoreThanAHundredMissedIsTooMany) {
  auto check = check_schedule(kEveryMinute, {}, at("2026-11-30T10:00:00Z"), at("2026-11-30T12:00:30Z"), std::nullopt);
  EXPECT_TRUE(check.too_many_missed);
  EXPECT_EQ(check.missed, 120);
  EXPECT_EQ(text(check.due), "2026-11-30T12:00:00Z");  // only the latest starts
  // A starting deadline bounds how far back to look.
  auto bounded = check_schedule(kEveryMinute, {}, at("2026-11-30T10:00:00Z"), at("2026-11-30T12:00:30Z"), 200);
  EXPECT_FALSE(bounded.too_many_missed);
  EXPECT_EQ(bounded.missed, 3);
  EXPECT_EQ(text(bounded.due), "2026-11-30T12:00:00Z");
}

TEST(CronJobSchedule, FarBehindStillFindsTheLatest) {
  auto check = check_schedule(kEveryMinute, {}, at("2026-01-01T00:00:00Z"), at("2026-11-30T12:00:30Z"), std::nullopt);
  EXPECT_TRUE(check.too_many_missed);
  EXPECT_EQ(text(check.due), "2026-11-30T12:00:00Z");
}

TEST(CronJobNames, MinutesSinceTheEpoch) {
  EXPECT_EQ(job_name_for("backup", at("2026-11-30T10:03:00Z")), "backup-29933883");
}

TEST(CronJobNames, ScheduledTimestampInTheCronJobsZone) {
  EXPECT_EQ(format_in_zone(at("2026-11-30T10:03:00Z"), {}), "2026-11-30T10:03:00Z");
  EXPECT_EQ(format_in_zone(at("2026-07-01T10:03:00Z"), sdk::TimeZone::load("Europe/Berlin")), "2026-07-01T12:03:00+02:00");
  EXPECT_EQ(format_in_zone(at("2026-07-01T10:03:00Z"), sdk::TimeZone::load("America/New_York")),
            "2026-07-01T06:03:00-04:00");
}

TEST(CronJobNames, TheJobCarriesTemplateAndOwner) {
  api::batch::v1::CronJob cj;
  cj.mutable_metadata()->set_name("backup");
  cj.mutable_metadata()->set_namespace_("ops");
  cj.mutable_metadata()->set_uid("cj-uid");
  (*cj.mutable_spec()->mutable_job_template()->mutable_metadata()->mutable_labels())["team"] = "ops";
  cj.mutable_spec()->mutable_job_template()->mutable_spec()->set_backoff_limit(2);
  auto job = job_for_schedule(cj, at("2026-11-30T10:03:00Z"), {});
  EXPECT_EQ(job.metadata().name(), "backup-29933883");
  EXPECT_EQ(job.metadata().namespace_(), "ops");
  EXPECT_EQ(job.metadata().labels().at("team"), "ops");
  EXPECT_EQ(job.metadata().annotations().at("batch.kubernetes.io/cronjob-scheduled-timestamp"), "2026-11-30T10:03:00Z");
  EXPECT_EQ(job.spec().backoff_limit(), 2);
  ASSERT_EQ(job.metadata().owner_references_size(), 1);
  EXPECT_EQ(job.metadata().owner_references(0).kind(), "CronJob");
  EXPECT_EQ(job.metadata().owner_references(0).uid(), "cj-uid");
}

}  // namespace
