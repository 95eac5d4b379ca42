// kubectl's tables of Jobs and CronJobs, as Kubernetes' printers (printJob, printCronJob) compute them.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "skiff/api/batch/v1/batch.pb.h"
#include "table_column.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// The columns of a batch kind, nullptr for any other kind.
const std::vector<TableColumn>* batch_columns(const std::string& kind);
// The cells of one object of a kind batch_columns knows.
TableRow batch_row(const std::string& kind, const google::protobuf::Message& object);

// The STATUS cell: Complete, Failed, Terminating, Suspended, FailureTarget, SuccessCriteriaMet or Running.
std::string job_status_text(const api::batch::v1::Job& job);
// The COMPLETIONS cell: "1/3", or "0/1 of 4" for a work queue with parallelism 4.
std::string job_completions_text(const api::batch::v1::Job& job);

}  // namespace skiff::apiserver
