// Job and CronJob rows; the wide columns describe the pod template.
#include "batch_tables.hpp"

#include <boost/json.hpp>

#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace batch = api::batch::v1;

const std::vector<TableColumn> kJobColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Status", "string", 0, "Status of the job."},
    {"Completions", "string", 0, "The number of pods which reached phase Succeeded."},
    {"Duration", "string", 0, "Time required to complete the job."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
    {"Containers", "string", 1, "Names of each container in the template."},
    {"Images", "string", 1, "Images referenced by each container in the template."},
    {"Selector", "string", 1, "A label query over pods that should match the pod count."},
};

const std::vector<TableColumn> kCronJobColumns = {
    {"Name", "string", 0, "Name must be unique within a namespace."},
    {"Schedule", "string", 0, "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."},
    {"Timezone", "string", 0, "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."},
    {"Suspend", "boolean", 0, "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."},
    {"Active", "integer", 0, "A list of pointers to currently running jobs."},
    {"Last Schedule", "string", 0, "Information when was the last time the job was successfully scheduled."},
    {"Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."},
    {"Containers", "string", 1, "Names of each container in the template."},
    {"Images", "string", 1, "Images referenced by each container in the template."},
    {"Selector", "string", 1, "A label query over pods that should match the pod count."},
};

bool has_condition(const batch::Job& job, const std::string& type) {
  for (const auto& c : job.status().conditions())
    if (c.type() == type && c.status() == "True") return true;
  return false;
}

std::pair<std::string, std::string> containers_of(const api::core::v1::PodSpec& spec) {
  std::string names, images;
  for (const auto& c : spec.containers()) {
    names += (names.empty() ? "" : ",") + c.name();
    images += (images.empty() ? "" : ",") + c.image();
  }
  return {names, images};
}

std::string selector_text(const batch::JobSpec& spec) {
  if (!spec.has_selector()) return "<none>";
  try {
    std::string text = sdk::LabelSelector::from_proto(spec.selector()).to_string();
    return text.empty() ? "<none>" : text;
  } catch (const std::exception&) {
    return "<error>";
  }
}

std::string duration_text(const batch::Job& job) {
  auto start = sdk::parse_rfc3339(job.status().start_time());
  if (!start) return "";
  auto end = job.status().completion_time().empty() ? std::optional(sdk::WallClock::now())
                                                    : sdk::parse_rfc3339(job.status().completion_time());
  if (!end) return "";
  return sdk::human_duration(std::chrono::duration_cast<std::chrono::seconds>(*end - *start));
}

TableRow job_row(const batch::Job& job) {
  auto [names, images] = containers_of(job.spec().template_().spec());
  return {json::string(job.metadata().name()), json::string(job_status_text(job)),
          json::string(job_completions_text(job)), json::string(duration_text(job)),
          json::string(sdk::age_since(job.metadata().creation_timestamp())), json::string(names), json::string(images),
          json::string(selector_text(job.spec()))};
}

TableRow cron_job_row(const batch::CronJob& cj) {
  const auto& spec = cj.spec();
  auto [names, images] = containers_of(spec.job_template().spec().template_().spec());
  std::string last_schedule =
      cj.status().last_schedule_time().empty() ? "<none>" : sdk::age_since(cj.status().last_schedule_time());
  std::string suspend = !spec.has_suspend() ? "<unset>" : spec.suspend() ? "True" : "False";
  return {json::string(cj.metadata().name()), json::string(spec.schedule()),
          json::string(spec.has_time_zone() ? spec.time_zone() : "<none>"), json::string(suspend),
          cj.status().active_size(), json::string(last_schedule),
          json::string(sdk::age_since(cj.metadata().creation_timestamp())), json::string(names), json::string(images),
          json::string(selector_text(spec.job_template().spec()))};
}

}  // namespace

std::string job_status_text(const batch::Job& job) {
  if (has_condition(job, "Complete")) return "Complete";
  if (has_condition(job, "Failed")) return "Failed";
  if (!job.metadata().deletion_timestamp().empty()) return "Terminating";
  if (has_condition(job, "Suspended")) return "Suspended";
  if (has_condition(job, "FailureTarget")) return "FailureTarget";
  if (has_condition(job, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

std::string job_completions_text(const batch::Job& job) {
  const auto& spec = job.spec();
  std::string succeeded = std::to_string(job.status().succeeded());
  if (spec.has_completions()) return succeeded + "/" + std::to_string(spec.completions());
  if (spec.parallelism() > 1) return succeeded + "/1 of " + std::to_string(spec.parallelism());
  return succeeded + "/1";
}

const std::vector<TableColumn>* batch_columns(const std::string& kind) {
  if (kind == "Job") return &kJobColumns;
  if (kind == "CronJob") return &kCronJobColumns;
  return nullptr;
}

TableRow batch_row(const std::string& kind, const google::protobuf::Message& object) {
  if (kind == "Job") return job_row(static_cast<const batch::Job&>(object));
  return cron_job_row(static_cast<const batch::CronJob&>(object));
}

}  // namespace skiff::apiserver
