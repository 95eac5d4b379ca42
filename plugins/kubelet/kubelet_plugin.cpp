// kubelet: runs the pods bound to this node through the node's runtime plugin. With
// `nodes: N` one process runs N kubelets (node names <node_prefix>-0 …), each with its own
// runtime subjects — how hollow nodes on runtime-sim make scale tests cheap.
#include <spdlog/logger.h>
#include <yaml-cpp/yaml.h>

#include "node_agent.hpp"
#include "skiff/sdk/hollow_nodes.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::kubelet {
namespace {

using namespace skiff::sdk;

class KubeletPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "kubelet";
    m.kind = "kubelet";
    m.version = "0.1.0";
    m.description = "Runs the pods bound to this node through its runtime plugin; serves their logs and exec";
    m.provides = {{capability::kKubelet, true}};
    m.requires_capabilities = {capability::kRuntime};
    m.config = hollow_node_keys("kubelets in this process");
    m.config.insert(m.config.end(), {
        {"max_pods", ConfigType::Int, "110", "pods this node accepts (its pods capacity)"},
        {"cpu", ConfigType::String, "", "CPU capacity to report (default: the machine's)"},
        {"memory", ConfigType::String, "", "memory capacity to report (default: the machine's)"},
        {"labels", ConfigType::Map, "{}", "more node labels (the profile's labels and roles are always added)"},
        {"lease_interval", ConfigType::Duration, "10s", "how often the node's Lease is renewed (its heartbeat)"},
        {"status_interval", ConfigType::Duration, "1m", "how often the node's status is rewritten when nothing changed"},
        {"relist_period", ConfigType::Duration, "1s", "how often the runtime's containers are compared with the pods"},
        {"restart_backoff", ConfigType::Duration, "10s", "first wait before restarting a crashed container (doubles)"},
        {"restart_backoff_max", ConfigType::Duration, "5m", "the longest such wait"},
        {"workers", ConfigType::Int, "8", "pods synced at once"},
    });
    return m;
  }

  explicit KubeletPlugin(Context& context) : context_(context) {}

  void start() override {
    const Config& config = context_.config();
    std::vector<std::string> names = hollow_node_names(context_);
    AgentOptions options;
    options.node.max_pods = static_cast<int>(config.get_int("max_pods"));
    if (config.has("cpu")) options.node.cpu = config.get_string("cpu");
    if (config.has("memory")) options.node.memory = config.get_string("memory");
    options.node.labels = context_.node().labels;
    YAML::Node extra = YAML::Load(config.get_yaml("labels"));
    if (extra.IsMap())
      for (const auto& kv : extra) options.node.labels[kv.first.as<std::string>()] = kv.second.as<std::string>();
    options.node.lease_interval = config.get_duration("lease_interval");
    options.node.status_interval = config.get_duration("status_interval");
    options.relist_period = config.get_duration("relist_period");
    options.sync.restart_backoff = config.get_duration("restart_backoff");
    options.sync.restart_backoff_max = config.get_duration("restart_backoff_max");
    options.sync.pods_dir = context_.data_dir() + "/pods";
    options.workers = static_cast<int>(config.get_int("workers"));
    Machine machine = read_machine();
    feed_ = std::make_unique<PodFeed>(context_.bus(), context_.subjects(), names, context_.log());
    runtime_classes_ = std::make_unique<RuntimeClasses>(context_.bus(), context_.subjects(),
                                                        sdk::api_source(context_.bus(), context_.subjects()),
                                                        sdk::InformerOptions{}, &context_.log());
    for (const auto& name : names) {
      AgentOptions mine = options;
      mine.node.name = name;
      agents_.push_back(
          std::make_unique<NodeAgent>(context_.bus(), context_.subjects(), *feed_, *runtime_classes_, mine, machine,
                                      context_.log()));
    }
    // The pods first: an agent's first relist must not take its pods' containers for strangers.
    runtime_classes_->start();
    if (!runtime_classes_->wait_for_sync(std::chrono::seconds(60)))
      throw Error(Status::Unavailable("kubelet: the RuntimeClass list did not arrive"));
    feed_->start();
    for (auto& agent : agents_) agent->start();
    if (names.size() == 1) context_.log().info("node {} ready: {} pods bound to it", names.front(), feed_->size());
    else context_.log().info("{} nodes ready ({} … {}): {} pods known", names.size(), names.front(), names.back(), feed_->size());
  }

  void stop() override {
    if (feed_) feed_->stop();  // no pod events into agents being stopped
    for (auto& agent : agents_) agent->stop();
    agents_.clear();
    feed_.reset();
    if (runtime_classes_) runtime_classes_->stop();
    runtime_classes_.reset();
  }

  Health health() override {
    std::size_t pods = 0;
    for (const auto& agent : agents_) pods += agent->pods();
    return Health::ok(std::to_string(agents_.size()) + (agents_.size() == 1 ? " node, " : " nodes, ") +
                      std::to_string(pods) + " pods");
  }

 private:
  Context& context_;
  std::unique_ptr<PodFeed> feed_;
  std::unique_ptr<RuntimeClasses> runtime_classes_;  // shared by the agents
  std::vector<std::unique_ptr<NodeAgent>> agents_;
};

}  // namespace
}  // namespace skiff::kubelet

SKIFF_PLUGIN(skiff::kubelet::KubeletPlugin)
