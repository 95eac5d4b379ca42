// Defaulting of Jobs and CronJobs as Kubernetes does it: SetDefaults_Job / SetDefaults_CronJob,
// and the Job strategy's generated selector.
#pragma once

#include "skiff/api/batch/v1/batch.pb.h"

namespace skiff::apiserver {

// Counts, policies, and (unless spec.manualSelector) the selector on the Job's uid with the
// controller-uid and job-name labels on its template. The uid must be set.
void default_job(api::batch::v1::Job& job);
void default_cron_job(api::batch::v1::CronJob& cron_job);

}  // namespace skiff::apiserver
