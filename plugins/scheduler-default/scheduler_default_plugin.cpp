// scheduler-default: places pods with schedulerName "default-scheduler", spreading them.
#include "scheduler_plugin.hpp"

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
                               "{LeastAllocated: 1, BalancedAllocation: 1, NodeAffinity: 2, TaintToleration: 3, "
                               "PodTopologySpread: 2}"});
  }
};

}  // namespace
}  // namespace skiff::scheduler

SKIFF_PLUGIN(skiff::scheduler::DefaultScheduler)
