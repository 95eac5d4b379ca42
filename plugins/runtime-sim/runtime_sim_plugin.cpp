// runtime-sim: a runtime that pretends (Kubernetes' hollow nodes). It serves the runtime
// service (skiff.runtime.v1) of this node — or of N simulated nodes, to pair with the
// kubelet's `nodes: N` — from memory: no processes, no images, no network.
#include <spdlog/logger.h>

#include <mutex>

#include "sim_node.hpp"
#include "skiff/sdk/hollow_nodes.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/quantity.hpp"

namespace skiff::sim {
namespace {

using namespace skiff::sdk;

constexpr const char* kVersion = "0.1.0";

// A quantity config key (cpu_usage: 250m; memory_usage: 64Mi), refused with its name when it does not parse.
std::int64_t quantity_key(const Config& config, const char* key,
                          std::optional<std::int64_t> (*parse)(std::string_view)) {
  auto value = parse(config.get_string(key));
  if (!value || *value < 0)
    throw Error(Status::Invalid(std::string("config ") + key + ": \"" + config.get_string(key) +
                                "\" is not a quantity (cpu_usage: 250m, memory_usage: 64Mi)"));
  return *value;
}

class RuntimeSimPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "runtime-sim";
    m.kind = "runtime";
    m.version = kVersion;
    m.description = "Simulated pods (hollow nodes): sandboxes and containers kept in memory, nothing runs";
    m.provides = {{kRuntimeCapability, false}, {"runtime:sim", true}};
    m.config = hollow_node_keys("nodes served");
    m.config.insert(m.config.end(), {
        {"handler", ConfigType::String, "sim", "the RuntimeClass handler this runtime answers to"},
        {"default", ConfigType::Bool, "true", "also the nodes' default runtime (pods without runtimeClassName)"},
        {"images", ConfigType::List, "",
         "images present from the start (others are pulled on demand); default: every image is present"},
        {"cpu_usage", ConfigType::String, "10m",
         "CPU a running container uses (its counter's rate) unless its SIM_CPU_USAGE says otherwise"},
        {"memory_usage", ConfigType::String, "4Mi",
         "memory a running container uses (capped at its limit) unless its SIM_MEMORY_USAGE says otherwise"},
    });
    return m;
  }

  explicit RuntimeSimPlugin(Context& context) : context_(context) {}

  void start() override {
    const Config& config = context_.config();
    std::vector<std::string> names = hollow_node_names(context_);  // the kubelet's naming
    SimRuntimeOptions options;
    if (config.has("images")) options.images = config.get_list("images");
    options.version = kVersion;
    options.handler = config.get_string("handler");
    options.serve_default = config.get_bool("default");
    options.cpu_millicores = quantity_key(config, "cpu_usage", parse_quantity_milli);
    options.memory_bytes = static_cast<std::uint64_t>(quantity_key(config, "memory_usage", parse_quantity));
    std::vector<std::unique_ptr<SimNode>> made;
    for (std::size_t i = 0; i < names.size(); ++i) {
      SimRuntimeOptions mine = options;
      mine.node = names[i];
      mine.index = static_cast<int>(i);
      made.push_back(std::make_unique<SimNode>(context_.bus(), context_.subjects(), mine, /*check_clash=*/i == 0));
    }
    {
      std::lock_guard lock(mutex_);
      nodes_ = std::move(made);
    }
    if (names.size() == 1) context_.log().info("serving the simulated runtime of node {}", names.front());
    else context_.log().info("serving the simulated runtime of {} nodes, {} to {}", names.size(), names.front(), names.back());
  }

  void stop() override {
    std::vector<std::unique_ptr<SimNode>> gone;
    {
      std::lock_guard lock(mutex_);
      gone.swap(nodes_);
    }
    gone.clear();  // stops serving and joins the streams, outside the lock health() takes
  }

  Health health() override {
    std::lock_guard lock(mutex_);  // health() runs on any thread, start() and stop() on another
    std::size_t sandboxes = 0, running = 0;
    for (const auto& node : nodes_) {
      sandboxes += node->runtime().sandbox_count();
      running += node->runtime().running_count();
    }
    return Health::ok(std::to_string(nodes_.size()) + (nodes_.size() == 1 ? " node, " : " nodes, ") +
                      std::to_string(sandboxes) + " sandboxes, " + std::to_string(running) + " containers running");
  }

 private:
  Context& context_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<SimNode>> nodes_;
};

}  // namespace
}  // namespace skiff::sim

SKIFF_PLUGIN(skiff::sim::RuntimeSimPlugin)
