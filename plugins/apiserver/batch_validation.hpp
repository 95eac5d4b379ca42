// Validation of Jobs and CronJobs with Kubernetes' field paths and messages (ValidateJob,
// ValidateCronJob): the restart policy, the generated selector, the completion mode, the pod
// failure policy, the schedule and its time zone.
#pragma once

#include "api_error.hpp"
#include "skiff/api/batch/v1/batch.pb.h"

namespace skiff::apiserver {

void check_job(FieldErrors& errors, const api::batch::v1::Job& job, const api::batch::v1::Job* old);
void check_cron_job(FieldErrors& errors, const api::batch::v1::CronJob& cron_job, const api::batch::v1::CronJob* old);

}  // namespace skiff::apiserver
