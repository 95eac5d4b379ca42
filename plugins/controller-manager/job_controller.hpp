// Runs each Job's pods to completion: creates up to spec.parallelism at a time (with a
// completion index each in Indexed mode), replaces failed ones after a back-off, applies the
// pod failure policy, the backoff limit and the active deadline, suspends and resumes, and
// reports status (counts, completed indexes, Complete/Failed/Suspended conditions).
#pragma once

#include <optional>

#include "controller.hpp"
#include "expectations.hpp"
#include "skiff/api/batch/v1/batch.pb.h"

namespace skiff::controllers {

namespace batch = api::batch::v1;

class JobController final : public Controller {
 public:
  explicit JobController(ControllerContext& context) : Controller(context, "job-controller") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  using PodPtr = std::shared_ptr<const core::Pod>;
  struct Tally;

  void on_pod(const PodPtr& pod, bool added);
  void on_pod_deleted(const PodPtr& pod);
  std::vector<PodPtr> owned_pods(const batch::Job& job);
  Tally tally(const batch::Job& job, const std::vector<PodPtr>& pods);
  // The pods to start now: nullopt entries for NonIndexed, an index each for Indexed.
  std::vector<std::optional<int>> pods_to_start(const batch::Job& job, const Tally& tally);
  std::vector<PodPtr> surplus_pods(const batch::Job& job, const Tally& tally);
  void create_pods(const batch::Job& job, const std::string& key, const std::vector<std::optional<int>>& indexes);
  int delete_pods(const batch::Job& job, const std::string& key, const std::vector<PodPtr>& pods);
  void write_status(const batch::Job& job, const batch::JobStatus& status);

  Expectations expectations_;
};

// The pod a Job's template makes: generateName "<job>-" ("<job>-<index>-"), owned by the Job;
// with an index, its annotation and label, JOB_COMPLETION_INDEX and hostname "<job>-<index>".
core::Pod pod_for_job(const batch::Job& job, std::optional<int> index);

}  // namespace skiff::controllers
