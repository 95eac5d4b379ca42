// controller-manager: the controllers that make declared state real — ReplicaSets,
// Deployments, DaemonSets, StatefulSets, Jobs, CronJobs, Endpoints, EndpointSlices, node lifecycle, garbage
// collection, node IPAM, disruption budgets, horizontal pod autoscaling — on shared informers, with one active replica per cluster (a Lease).
#include <spdlog/logger.h>

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

#include "controller_manager_config.hpp"
#include "cronjob_controller.hpp"
#include "daemonset_controller.hpp"
#include "deployment_controller.hpp"
#include "job_controller.hpp"
#include "ttl_after_finished_controller.hpp"
#include "disruption_controller.hpp"
#include "horizontal_pod_autoscaler_controller.hpp"
#include "endpoints_controller.hpp"
#include "endpointslice_controller.hpp"
#include "garbage_collector.hpp"
#include "node_ipam_controller.hpp"
#include "node_lifecycle_controller.hpp"
#include "pod_gc_controller.hpp"
#include "persistent_volume_controller.hpp"
#include "volume_protection_controller.hpp"
#include "replicaset_controller.hpp"
#include "statefulset_controller.hpp"
#include "skiff/sdk/leader_election.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::controllers {
namespace {

using namespace skiff::sdk;

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The node IPAM range, when nodeipam is to allocate; Error(422) naming a bad setting.
std::optional<NodeIpamRange> node_ipam_range(const ControllerManagerSettings& s) {
  if (!listed(s.controllers, "nodeipam") || !s.allocate_node_cidrs) return std::nullopt;
  try {
    return checked_node_ipam_range({s.cluster_cidr, static_cast<int>(s.node_cidr_mask_size), s.service_cidr});
  } catch (const std::invalid_argument& e) {
    throw Error(Status::Invalid(e.what()));
  }
}

HpaOptions hpa_options(const ControllerManagerSettings& s) {
  HpaOptions o;
  o.sync_period = s.horizontal_pod_autoscaler_sync_period;
  o.tolerance = s.horizontal_pod_autoscaler_tolerance;
  o.downscale_stabilization = std::chrono::duration_cast<std::chrono::seconds>(s.horizontal_pod_autoscaler_downscale_stabilization);
  o.cpu.initialization_period =
      std::chrono::duration_cast<std::chrono::seconds>(s.horizontal_pod_autoscaler_cpu_initialization_period);
  o.cpu.initial_readiness_delay =
      std::chrono::duration_cast<std::chrono::seconds>(s.horizontal_pod_autoscaler_initial_readiness_delay);
  return o;
}

class ControllerManagerPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "controller-manager";
    m.kind = "controller";
    m.version = "0.1.0";
    m.description =
        "ReplicaSet, Deployment, DaemonSet, StatefulSet, Job, CronJob, TTL-after-finished, Endpoints, EndpointSlice, "
        "node lifecycle, garbage-collection, node IPAM, pod GC, disruption and horizontal-pod-autoscaler controllers";
    m.provides = {{capability::kControllerManager, false}};
    m.config = controller_manager_config().table();
    return m;
  }

  explicit ControllerManagerPlugin(Context& context) : context_(context), api_(context.bus(), context.subjects()) {}

  void start() override {
    ControllerManagerSettings settings = controller_manager_config().read(context_.config());
    for (const auto& name : settings.controllers)
      if (!listed(kControllerNames, name))
        throw Error(Status::Invalid("config controllers: unknown controller '" + name + "'; the controllers are: " +
                                    joined(kControllerNames)));
    int workers = static_cast<int>(settings.workers);
    NodeLifecycleOptions node_options;
    node_options.grace_period = settings.node_monitor_grace_period;
    node_options.monitor_period = settings.node_monitor_period;
    node_options.eviction_timeout = settings.pod_eviction_timeout;
    std::optional<NodeIpamRange> ipam = node_ipam_range(settings);
    if (settings.leader_elect && settings.renew_deadline >= settings.lease_duration)
      throw Error(Status::Invalid("config renew_deadline: must be shorter than lease_duration"));
    if (listed(settings.controllers, "nodeipam") && !ipam)
      context_.log().info("nodeipam: allocate_node_cidrs is false; nodes keep whatever podCIDR they are given");

    informers_ = std::make_unique<SharedInformers>(context_.bus(), context_.subjects(), &context_.log());
    controller_context_ = std::make_unique<ControllerContext>(
        ControllerContext{*informers_, api_, context_.log(), context_.node().node, leading_});
    auto& ctx = *controller_context_;
    for (const auto& name : settings.controllers) {
      if (name == "replicaset") controllers_.push_back(std::make_unique<ReplicaSetController>(ctx));
      if (name == "deployment") controllers_.push_back(std::make_unique<DeploymentController>(ctx));
      if (name == "daemonset") controllers_.push_back(std::make_unique<DaemonSetController>(ctx));
      if (name == "statefulset") controllers_.push_back(std::make_unique<StatefulSetController>(ctx));
      if (name == "endpoint") controllers_.push_back(std::make_unique<EndpointsController>(ctx));
      if (name == "endpointslice")
        controllers_.push_back(
            std::make_unique<EndpointSliceController>(ctx, static_cast<int>(settings.max_endpoints_per_slice)));
      if (name == "nodelifecycle") controllers_.push_back(std::make_unique<NodeLifecycleController>(ctx, node_options));
      if (name == "garbagecollector") controllers_.push_back(std::make_unique<GarbageCollector>(ctx));
      if (name == "podgc") controllers_.push_back(std::make_unique<PodGcController>(ctx));
      if (name == "persistentvolume") controllers_.push_back(std::make_unique<PersistentVolumeController>(ctx));
      if (name == "volumeprotection") controllers_.push_back(std::make_unique<VolumeProtectionController>(ctx));
      if (name == "job") controllers_.push_back(std::make_unique<JobController>(ctx));
      if (name == "ttlafterfinished") controllers_.push_back(std::make_unique<TtlAfterFinishedController>(ctx));
      if (name == "cronjob")
        controllers_.push_back(std::make_unique<CronJobController>(ctx, CronJobClock{{}, settings.cronjob_clock_configmap}));
      if (name == "disruption") controllers_.push_back(std::make_unique<DisruptionController>(ctx));
      if (name == "horizontalpodautoscaling")
        controllers_.push_back(std::make_unique<HorizontalPodAutoscalerController>(
            ctx, context_.bus(), context_.subjects(), hpa_options(settings)));
      if (name == "nodeipam" && ipam) controllers_.push_back(std::make_unique<NodeIpamController>(ctx, *ipam));
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

    if (settings.leader_elect) {
      LeaderElectionOptions election;
      election.name = "kube-controller-manager";
      election.identity = context_.node().node + "_" + context_.name();
      election.lease_duration = settings.lease_duration;
      election.renew_deadline = settings.renew_deadline;
      election.retry_period = settings.retry_period;
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
