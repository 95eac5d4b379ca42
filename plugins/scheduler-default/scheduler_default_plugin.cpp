// scheduler-default: places pods with schedulerName "default-scheduler", spreading them.
#include "scheduler_plugin.hpp"
#include "skiff/sdk/scheduling/framework.hpp"

namespace skiff::scheduler {
namespace {

class DefaultScheduler final : public SchedulerPlugin {
 public:
  using SchedulerPlugin::SchedulerPlugin;
  static sdk::Manifest manifest() {
    return scheduler_manifest({"scheduler-default",
                               "Kubernetes' default scheduling: filters, then spread (least allocated) with affinity and "
                               "topology spread",
                               "default-scheduler",
                               scorers_yaml(sdk::scheduling::default_scorers())});
  }
};

}  // namespace
}  // namespace skiff::scheduler

SKIFF_PLUGIN(skiff::scheduler::DefaultScheduler)
