// cloud-controller-manager: the controllers that talk to the cluster's cloud provider — node
// initialisation, node lifecycle, LoadBalancer Services, routes — on the controller-manager's
// shared informers and work queues, with one active replica per cluster (a Lease). Which
// provider answers (cloud-local, or another plugin) it never knows.
#include <spdlog/logger.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "cloud_node_controller.hpp"
#include "cloud_node_lifecycle_controller.hpp"
#include "route_controller.hpp"
#include "service_controller.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/leader_election.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::cloud_controllers {
namespace {

using namespace skiff::sdk;
using controllers::Controller;
using controllers::ControllerContext;
using controllers::SharedInformers;

const std::vector<std::string> kControllerNames = {"cloud-node", "cloud-node-lifecycle", "service", "route"};

struct Settings {
  std::vector<std::string> controllers;
  std::int64_t workers = 0;
  std::chrono::milliseconds node_monitor_period{};
  std::chrono::milliseconds route_reconcile_period{};
  std::chrono::milliseconds provider_timeout{};
  std::chrono::milliseconds capabilities_refresh{};
  bool leader_elect = true;
  std::chrono::milliseconds lease_duration{};
  std::chrono::milliseconds renew_deadline{};
  std::chrono::milliseconds retry_period{};
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("controllers", &Settings::controllers, "[cloud-node, cloud-node-lifecycle, service, route]",
               "the controllers to run: cloud-node, cloud-node-lifecycle, service, route"),
      bind_key("workers", &Settings::workers, "2", "objects each controller reconciles at once").range(1, 64),
      bind_key("node_monitor_period", &Settings::node_monitor_period, "5s",
               "how often a node that is not Ready is asked about at the provider (gone: deleted; shut down: tainted)")
          .range("100ms", "1h"),
      bind_key("route_reconcile_period", &Settings::route_reconcile_period, "10s",
               "how often routes are reconciled when the provider has Routes")
          .range("1s", "1h"),
      bind_key("provider_timeout", &Settings::provider_timeout, "10s", "how long one cloud provider call may take")
          .range("100ms", "5m"),
      bind_key("capabilities_refresh", &Settings::capabilities_refresh, "10s",
               "how often the provider's capabilities are asked again: a provider that starts after the "
               "controllers, or comes back claiming other parts, is taken up (what it was skipped for is "
               "reconciled again)")
          .range("100ms", "1h"),
      bind_key("leader_elect", &Settings::leader_elect, "true",
               "replicas elect one active cloud-controller-manager through a Lease"),
      bind_key("lease_duration", &Settings::lease_duration, "15s", "how long a leader's lease lasts without renewal"),
      bind_key("renew_deadline", &Settings::renew_deadline, "10s", "a leader that cannot renew for this long steps down"),
      bind_key("retry_period", &Settings::retry_period, "2s", "how often the lease is tried or renewed"),
  };
  return map;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class CloudControllerManagerPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "cloud-controller-manager";
    m.kind = "controller";
    m.version = "0.1.0";
    m.description = "Cloud node, node lifecycle, LoadBalancer service and route controllers on the cloud provider contract";
    m.provides = {{capability::kCloudControllerManager, false}};
    m.config = config_map().table();
    return m;
  }

  explicit CloudControllerManagerPlugin(Context& context) : context_(context), api_(context.bus(), context.subjects()) {}

  void start() override {
    settings_ = config_map().read(context_.config());
    for (const auto& name : settings_.controllers)
      if (std::find(kControllerNames.begin(), kControllerNames.end(), name) == kControllerNames.end())
        throw Error(Status::Invalid("config controllers: unknown controller '" + name +
                                    "'; the controllers are: " + joined(kControllerNames)));
    if (settings_.leader_elect && settings_.renew_deadline >= settings_.lease_duration)
      throw Error(Status::Invalid("config renew_deadline: must be shorter than lease_duration"));
    provider_ = std::make_unique<ProviderHandle>(
        CloudProviderClient(context_.bus(), context_.subjects(), context_.node().cluster, settings_.provider_timeout));
    informers_ = std::make_unique<SharedInformers>(context_.bus(), context_.subjects(), &context_.log());
    controller_context_ = std::make_unique<ControllerContext>(
        ControllerContext{*informers_, api_, context_.log(), context_.node().node, leading_});
    make_controllers();
    for (auto& c : controllers_) c->register_handlers();
    informers_->start();
    int workers = static_cast<int>(settings_.workers);
    starter_ = std::thread([this, workers] {
      while (!stopping_ && !informers_->wait_for_sync(std::chrono::milliseconds(500))) {
      }
      if (stopping_) return;
      for (auto& c : controllers_) c->run(workers);
      context_.log().info("cloud controllers running: {}", joined(names()));
      watch_capabilities();
    });
    elect();
  }

  void stop() override {
    {
      std::lock_guard lock(stop_mutex_);
      stopping_ = true;
    }
    stop_wake_.notify_all();
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
  void make_controllers() {
    auto& ctx = *controller_context_;
    for (const auto& name : settings_.controllers) {
      if (name == "cloud-node") controllers_.push_back(std::make_unique<CloudNodeController>(ctx, *provider_));
      if (name == "cloud-node-lifecycle")
        controllers_.push_back(
            std::make_unique<CloudNodeLifecycleController>(ctx, *provider_, settings_.node_monitor_period));
      if (name == "service") controllers_.push_back(std::make_unique<ServiceController>(ctx, *provider_));
      if (name == "route")
        controllers_.push_back(std::make_unique<RouteController>(ctx, *provider_, settings_.route_reconcile_period));
    }
  }

  // Until stop: the provider's capabilities asked every period; when they change (a provider
  // appeared or came back different), every controller reconciles everything again.
  void watch_capabilities() {
    std::unique_lock lock(stop_mutex_);
    while (!stopping_) {
      lock.unlock();
      if (provider_->refresh()) {
        context_.log().info("cloud provider capabilities: {}", describe(provider_->capabilities()));
        for (auto& c : controllers_) c->resync();
      }
      lock.lock();
      stop_wake_.wait_for(lock, settings_.capabilities_refresh, [this] { return stopping_.load(); });
    }
  }

  void elect() {
    if (!settings_.leader_elect) {
      leading_ = true;
      return;
    }
    LeaderElectionOptions election;
    election.name = "cloud-controller-manager";
    election.identity = context_.node().node + "_" + context_.name();
    election.lease_duration = settings_.lease_duration;
    election.renew_deadline = settings_.renew_deadline;
    election.retry_period = settings_.retry_period;
    elector_ = std::make_unique<LeaderElector>(
        api_, election,
        [this] {
          leading_ = true;
          for (auto& c : controllers_) c->resync();
        },
        [this] { leading_ = false; }, &context_.log());
    elector_->start();
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& c : controllers_) out.push_back(c->name());
    return out;
  }

  Context& context_;
  ApiClient api_;
  Settings settings_;
  std::atomic<bool> leading_{false};
  std::atomic<bool> stopping_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_wake_;
  std::unique_ptr<ProviderHandle> provider_;
  std::unique_ptr<SharedInformers> informers_;
  std::unique_ptr<ControllerContext> controller_context_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::unique_ptr<LeaderElector> elector_;
  std::thread starter_;
};

}  // namespace
}  // namespace skiff::cloud_controllers

SKIFF_PLUGIN(skiff::cloud_controllers::CloudControllerManagerPlugin)
