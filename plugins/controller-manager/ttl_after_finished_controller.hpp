// Deletes finished Jobs whose spec.ttlSecondsAfterFinished has passed (in the foreground, so
// the garbage collector removes their pods first), as Kubernetes' ttl-after-finished controller.
#pragma once

#include <chrono>
#include <optional>

#include "controller.hpp"
#include "skiff/api/batch/v1/batch.pb.h"

namespace skiff::controllers {

class TtlAfterFinishedController final : public Controller {
 public:
  explicit TtlAfterFinishedController(ControllerContext& context) : Controller(context, "ttl-after-finished-controller") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;
};

// When a finished Job with a TTL expires: its completion (or Failed condition's) time plus
// the TTL; nullopt while it runs or when it has no TTL.
std::optional<std::chrono::system_clock::time_point> job_expiry(const api::batch::v1::Job& job);

}  // namespace skiff::controllers
