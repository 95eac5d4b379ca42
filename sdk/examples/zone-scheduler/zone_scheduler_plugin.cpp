// zone-scheduler: Kubernetes' default scheduling plus one stage of its own, a scorer that
// prefers nodes in one zone. Places the pods whose spec.schedulerName is "zone-scheduler".
#include <chrono>
#include <memory>
#include <string>

#include <skiff/sdk/config_binding.hpp>
#include <skiff/sdk/plugin.hpp>
#include <skiff/sdk/scheduling/framework.hpp>
#include <skiff/sdk/scheduling/scheduler.hpp>

namespace {

using namespace skiff::sdk;
namespace scheduling = skiff::sdk::scheduling;

// 100 for a node labelled topology.kubernetes.io/zone=<zone>, 0 for the others.
class PreferredZone final : public scheduling::Scorer {
 public:
  explicit PreferredZone(std::string zone) : zone_(std::move(zone)) {}
  std::string_view name() const override { return "PreferredZone"; }
  std::int64_t score(const scheduling::PodInfo&, const scheduling::NodeInfo& node) const override {
    const std::string* zone = node.label("topology.kubernetes.io/zone");
    return zone && *zone == zone_ ? scheduling::kMaxNodeScore : 0;
  }

 private:
  std::string zone_;
};

struct Settings {
  std::string zone;
  int weight = 0;
  std::chrono::milliseconds initial_backoff{};
  std::chrono::milliseconds max_backoff{};
  bool leader_elect = true;
};

// The config table, bound to Settings: it validates, documents and reads the config.
const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("zone", &Settings::zone, "a", "the topology.kubernetes.io/zone to prefer"),
      bind_key("weight", &Settings::weight, "10", "the weight of that preference against the built-in scorers")
          .range(1, 100),
      bind_key("pod_initial_backoff", &Settings::initial_backoff, "1s",
               "wait before retrying a pod that failed, doubled each time")
          .range("10ms", "1m"),
      bind_key("pod_max_backoff", &Settings::max_backoff, "10s", "the longest such wait").range("10ms", "10m"),
      bind_key("leader_elect", &Settings::leader_elect, "true", "replicas elect one active scheduler through a Lease"),
  };
  return map;
}

class ZoneScheduler final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "zone-scheduler";
    m.kind = "scheduler";
    m.version = "1.0.0";
    m.description = "Kubernetes' default scheduling, preferring the nodes of one zone";
    // Written as before capabilities had versions: skiffd reads it as skiff.scheduler.v1.
    m.provides = {{"scheduler", false}};
    m.config = config_map().table();
    return m;
  }

  explicit ZoneScheduler(Context& context) : context_(context) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    scheduling::SchedulerOptions options;
    options.scheduler_name = "zone-scheduler";
    options.queue.initial_backoff = settings.initial_backoff;
    options.queue.max_backoff = settings.max_backoff;
    options.leader_elect = settings.leader_elect;
    options.leader_election.name = "zone-scheduler";
    options.leader_election.identity = context_.node().node + "_" + context_.name();
    // filters and scorers left unset: every built-in filter and Kubernetes' default scorers.
    scheduler_ = std::make_unique<scheduling::Scheduler>(context_.bus(), context_.subjects(), options, &context_.log());
    scheduler_->add_scorer(std::make_unique<PreferredZone>(settings.zone), settings.weight);
    scheduler_->start();
  }

  void stop() override { scheduler_.reset(); }

 private:
  Context& context_;
  std::unique_ptr<scheduling::Scheduler> scheduler_;
};

}  // namespace

SKIFF_PLUGIN(ZoneScheduler)
