// What scheduler-default and scheduler-binpack share: a plugin around the SDK's scheduler
// whose stages and weights come from its config. They differ only in their defaults.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/scheduling/scheduler.hpp"

namespace skiff::scheduler {

struct SchedulerDefaults {
  std::string plugin_name;
  std::string description;
  std::string scheduler_name;
  std::string scorers;  // YAML map text: {Name: weight, …}
};

sdk::Manifest scheduler_manifest(const SchedulerDefaults& defaults);
// "{LeastAllocated: 1, …}": scorers with weights as the config's YAML map.
std::string scorers_yaml(const std::vector<std::pair<std::string, int>>& scorers);

class SchedulerPlugin : public sdk::Plugin {
 public:
  explicit SchedulerPlugin(sdk::Context& context) : context_(context) {}
  void start() override;
  void stop() override;
  sdk::Health health() override;

 private:
  sdk::Context& context_;
  std::unique_ptr<sdk::scheduling::Scheduler> scheduler_;
};

}  // namespace skiff::scheduler
