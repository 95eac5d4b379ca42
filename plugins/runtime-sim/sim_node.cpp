// A simulated node's runtime served on the bus: one worker (every op is memory-only).
#include "sim_node.hpp"

namespace skiff::sim {

namespace {

sdk::RuntimeServeOptions serve_options(const SimRuntimeOptions& options, bool check_clash) {
  sdk::RuntimeServeOptions serve;
  serve.node = options.node;
  serve.handler = options.handler;
  serve.serve_default = options.serve_default;
  serve.workers = 1;
  serve.check_clash = check_clash;
  return serve;
}

}  // namespace

SimNode::SimNode(sdk::Bus& bus, const sdk::Subjects& subjects, SimRuntimeOptions options, bool check_clash)
    : runtime_(options), server_(bus, subjects, runtime_, serve_options(options, check_clash)) {}

}  // namespace skiff::sim
