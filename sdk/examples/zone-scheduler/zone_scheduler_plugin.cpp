// zone-scheduler: Kubernetes' default scheduling plus one stage of its own, a scorer that
// prefers nodes in one zone. Places the pods whose spec.schedulerName is "zone-scheduler".
#include <memory>
#include <string>

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

class ZoneScheduler final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "zone-scheduler";
    m.kind = "scheduler";
    m.version = "1.0.0";
    m.description = "Kubernetes' default scheduling, preferring the nodes of one zone";
    m.provides = {{"scheduler", false}};
    m.config = {{"zone", ConfigType::String, "a", "the topology.kubernetes.io/zone to prefer"},
                {"weight", ConfigType::Int, "10", "the weight of that preference against the built-in scorers"}};
    return m;
  }

  explicit ZoneScheduler(Context& context) : context_(context) {}

  void start() override {
    scheduling::SchedulerOptions options;
    options.scheduler_name = "zone-scheduler";
    options.leader_elect = false;
    // filters and scorers left unset: every built-in filter and Kubernetes' default scorers.
    scheduler_ = std::make_unique<scheduling::Scheduler>(context_.bus(), context_.subjects(), options, &context_.log());
    scheduler_->add_scorer(std::make_unique<PreferredZone>(context_.config().get_string("zone")),
                           static_cast<int>(context_.config().get_int("weight")));
    scheduler_->start();
  }

  void stop() override { scheduler_.reset(); }

 private:
  Context& context_;
  std::unique_ptr<scheduling::Scheduler> scheduler_;
};

}  // namespace

SKIFF_PLUGIN(ZoneScheduler)
