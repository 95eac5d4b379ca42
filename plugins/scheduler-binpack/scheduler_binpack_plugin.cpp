// scheduler-binpack: places pods with schedulerName "skiff-binpack" on the fullest node that
// still fits, beside pods of the same owner where it can, so that empty nodes stay empty (to be
// scaled down or kept for big pods).
#include "scheduler_plugin.hpp"

namespace skiff::scheduler {
namespace {

class BinpackScheduler final : public SchedulerPlugin {
 public:
  using SchedulerPlugin::SchedulerPlugin;
  static sdk::Manifest manifest() {
    return scheduler_manifest({"scheduler-binpack",
                               "Bin packing: filters, then the most allocated node that fits, preferring nodes "
                               "running pods of the same owner",
                               "skiff-binpack",
                               "{MostAllocated: 5, OwnerColocation: 5, NodeAffinity: 2, TaintToleration: 3}"});
  }
};

}  // namespace
}  // namespace skiff::scheduler

SKIFF_PLUGIN(skiff::scheduler::BinpackScheduler)
