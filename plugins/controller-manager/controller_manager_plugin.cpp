// controller-manager: the controllers that make declared state real — ReplicaSets,
// Deployments, Endpoints, node lifecycle, garbage collection — on shared informers, with
// one active replica per cluster (a Lease).
#include <spdlog/logger.h>

#include <map>

#include "deployment_controller.hpp"
#include "endpoints_controller.hpp"
#include "garbage_collector.hpp"
#include "node_lifecycle_controller.hpp"
#include "replicaset_controller.hpp"
#include "skiff/sdk/leader_election.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::controllers {
namespace {

using namespace skiff::sdk;

const std::vector<std::string> kControllers = {"replicaset", "deployment", "endpoint", "nodelifecycle", "garbagecollector"};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class ControllerManagerPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "controller-manager";
    m.kind = "controller";
    m.version = "0.1.0";
    m.description = "ReplicaSet, Deployment, Endpoints, node lifecycle and garbage-collection controllers";
    m.provides = {{capability::kControllerManager, false}};
    m.config = {
        {"controllers", ConfigType::List, "[replicaset, deployment, endpoint, nodelifecycle, garbagecollector]",
         "which controllers run (any of: replicaset, deployment, endpoint, nodelifecycle, garbagecollector)"},
        {"workers", ConfigType::Int, "5", "objects each controller reconciles at once"},
        {"node_monitor_grace_period", ConfigType::Duration, "40s", "a node silent this long turns Ready=Unknown"},
        {"node_monitor_period", ConfigType::Duration, "5s", "how often each node's heartbeat is checked"},
        {"pod_eviction_timeout", ConfigType::Duration, "5m",
         "pods on an unreachable node that do not tolerate it for a time of their own are evicted after this"},
        {"leader_elect", ConfigType::Bool, "true", "replicas elect one active controller-manager through a Lease"},
        {"lease_duration", ConfigType::Duration, "15s", "how long a leader's lease lasts without renewal"},
        {"renew_deadline", ConfigType::Duration, "10s", "a leader that cannot renew for this long steps down"},
        {"retry_period", ConfigType::Duration, "2s", "how often the lease is tried or renewed"},
    };
    return m;
  }

  explicit ControllerManagerPlugin(Context& context) : context_(context), api_(context.bus(), context.subjects()) {}

  void start() override {
    const Config& config = context_.config();
    std::vector<std::string> enabled = config.get_list("controllers");
    for (const auto& name : enabled)
      if (std::find(kControllers.begin(), kControllers.end(), name) == kControllers.end())
        throw Error(Status::Invalid("config controllers: unknown controller '" + name + "'; the controllers are: " +
                                    joined(kControllers)));
    int workers = static_cast<int>(config.get_int("workers"));
    if (workers < 1) throw Error(Status::Invalid("config workers: must be at least 1"));
    NodeLifecycleOptions node_options;
    node_options.grace_period = config.get_duration("node_monitor_grace_period");
    node_options.monitor_period = config.get_duration("node_monitor_period");
    node_options.eviction_timeout = config.get_duration("pod_eviction_timeout");

    informers_ = std::make_unique<SharedInformers>(context_.bus(), context_.subjects(), &context_.log());
    controller_context_ = std::make_unique<ControllerContext>(
        ControllerContext{*informers_, api_, context_.log(), context_.node().node, leading_});
    auto& ctx = *controller_context_;
    for (const auto& name : enabled) {
      if (name == "replicaset") controllers_.push_back(std::make_unique<ReplicaSetController>(ctx));
      if (name == "deployment") controllers_.push_back(std::make_unique<DeploymentController>(ctx));
      if (name == "endpoint") controllers_.push_back(std::make_unique<EndpointsController>(ctx));
      if (name == "nodelifecycle") controllers_.push_back(std::make_unique<NodeLifecycleController>(ctx, node_options));
      if (name == "garbagecollector") controllers_.push_back(std::make_unique<GarbageCollector>(ctx));
    }
    for (auto& c : controllers_) c->register_handlers();
    informers_->start();
    // The caches fill in the background; controllers start on them once synced.
    starter_ = std::thread([this, workers] {
      while (!stopping_ && !informers_->wait_for_sync(std::chrono::milliseconds(500))) {
      }
      if (stopping_) return;
      for (auto& c : controllers_) c->run(workers);
      context_.log().info("controllers running: {}", joined(names()));
    });

    if (config.get_bool("leader_elect")) {
      LeaderElectionOptions election;
      election.name = "kube-controller-manager";
      election.identity = context_.node().node + "_" + context_.name();
      election.lease_duration = config.get_duration("lease_duration");
      election.renew_deadline = config.get_duration("renew_deadline");
      election.retry_period = config.get_duration("retry_period");
      if (election.renew_deadline >= election.lease_duration)
        throw Error(Status::Invalid("config renew_deadline: must be shorter than lease_duration"));
      elector_ = std::make_unique<LeaderElector>(
          api_, election,
          [this] {
            leading_ = true;
            for (auto& c : controllers_) c->resync();
          },
          [this] { leading_ = false; }, &context_.log());
      elector_->start();
    } else {
      leading_ = true;
    }
  }

  void stop() override {
    stopping_ = true;
    if (elector_) elector_->stop();
    if (starter_.joinable()) starter_.join();
    for (auto& c : controllers_) c->stop();
    if (informers_) informers_->stop();
    controllers_.clear();
  }

  Health health() override {
    if (!informers_) return Health::failing("not started");
    return Health::ok(std::string(leading_ ? "leading" : "standing by") + ": " + joined(names()));
  }

 private:
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& c : controllers_) out.push_back(c->name());
    return out;
  }

  Context& context_;
  ApiClient api_;
  std::atomic<bool> leading_{false};
  std::atomic<bool> stopping_{false};
  std::unique_ptr<SharedInformers> informers_;
  std::unique_ptr<ControllerContext> controller_context_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::unique_ptr<LeaderElector> elector_;
  std::thread starter_;
};

}  // namespace
}  // namespace skiff::controllers

SKIFF_PLUGIN(skiff::controllers::ControllerManagerPlugin)
