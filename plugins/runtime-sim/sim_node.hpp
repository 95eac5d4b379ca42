// One simulated node on the bus: its runtime service on skiff.<c>.node.<node>.runtime.<op>
// (as the default runtime) and .runtime.<handler>.<op>, all ops through one wildcard
// subscription each, dispatched by the last token.
#pragma once

#include "sim_runtime.hpp"
#include "sim_streams.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::sim {

class SimNode {
 public:
  SimNode(sdk::Bus& bus, const sdk::Subjects& subjects, SimRuntimeOptions options);

  const SimRuntime& runtime() const { return runtime_; }

 private:
  void handle(const sdk::Request& request);

  SimRuntime runtime_;
  SimStreams streams_;
  // Last: cancelled first, so no handler outlives the rest.
  sdk::Subscription handler_subscription_;  // <node>.runtime.<handler>.*
  sdk::Subscription default_subscription_;  // <node>.runtime.* (the node's default runtime)
};

}  // namespace skiff::sim
