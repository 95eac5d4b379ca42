// One simulated node on the bus: its in-memory runtime, served by the SDK's serve_runtime on
// skiff.<c>.node.<node>.runtime[.<handler>].<op>.
#pragma once

#include <memory>

#include "sim_runtime.hpp"
#include "skiff/sdk/runtime/serve_runtime.hpp"

namespace skiff::sim {

class SimNode {
 public:
  // Only the first of many nodes checks for a clash (the rest are named after it).
  SimNode(sdk::Bus& bus, const sdk::Subjects& subjects, SimRuntimeOptions options, bool check_clash);

  const SimRuntime& runtime() const { return runtime_; }

 private:
  SimRuntime runtime_;
  // Last: stops serving (and ends the streams) before the runtime goes.
  sdk::RuntimeServer server_;
};

}  // namespace skiff::sim
