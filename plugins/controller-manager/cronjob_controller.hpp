// Starts each CronJob's Jobs on its schedule (in its time zone), honouring the concurrency
// policy, the starting deadline and suspension; tracks active Jobs and the last schedule and
// success; deletes finished Jobs beyond the history limits. Time comes from a clock the caller
// chooses, so tests move it instead of waiting for minutes to pass.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "controller.hpp"
#include "skiff/api/batch/v1/batch.pb.h"
#include "skiff/sdk/time_zone.hpp"

namespace skiff::controllers {

struct CronJobClock {
  // The current time; the system clock unless a test says otherwise.
  std::function<std::chrono::sys_seconds()> now;
  // "namespace/name" of a ConfigMap whose data.now (RFC 3339) is the time, read on every sync
  // and followed when it changes (config cronjob_clock_configmap; for tests only). Empty: `now`.
  std::string config_map;
};

class CronJobController final : public Controller {
 public:
  CronJobController(ControllerContext& context, CronJobClock clock);
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  using JobPtr = std::shared_ptr<const api::batch::v1::Job>;

  std::chrono::sys_seconds now() const;
  void on_job(const JobPtr& job);
  std::vector<JobPtr> owned_jobs(const api::batch::v1::CronJob& cron_job);
  // Brings status.active and lastSuccessfulTime up to date with the Jobs.
  void reconcile_active(const api::batch::v1::CronJob& cron_job, const std::vector<JobPtr>& jobs,
                        api::batch::v1::CronJobStatus& status);
  void trim_history(const api::batch::v1::CronJob& cron_job, const std::vector<JobPtr>& jobs);
  void delete_job(const api::batch::v1::CronJob& cron_job, const std::string& name);
  // Starts the due Job if any; returns when to look again.
  std::optional<std::chrono::sys_seconds> start_due(const api::batch::v1::CronJob& cron_job, const sdk::TimeZone& zone,
                                                    api::batch::v1::CronJobStatus& status);
  void write_status(const api::batch::v1::CronJob& cron_job, const api::batch::v1::CronJobStatus& status);

  CronJobClock clock_;
};

}  // namespace skiff::controllers
