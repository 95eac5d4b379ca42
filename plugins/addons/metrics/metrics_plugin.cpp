// metrics: the cluster's resource metrics pipeline — every node's kubelet summary collected
// each period, usage as rates between the last two, served as metrics.k8s.io through the
// apiserver's provider hook (what `kubectl top` and the HorizontalPodAutoscaler read).
#include "metrics_service.hpp"
#include "metrics_settings.hpp"
#include "skiff/sdk/plugin.hpp"
#include "summary_scraper.hpp"
#include "usage_store.hpp"

namespace skiff::metrics {
namespace {

using namespace skiff::sdk;

class MetricsPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "metrics";
    m.kind = "addon";
    m.version = "0.1.0";
    m.description = "Resource metrics (metrics.k8s.io) from every node's kubelet summary: kubectl top and autoscaling";
    m.config = config_table();
    return m;
  }

  explicit MetricsPlugin(Context& context) : context_(context) {}

  void start() override {
    settings_ = read_settings(context_.config());
    service_ = std::make_unique<MetricsService>(context_.bus(), context_.subjects(), store_);
    scraper_ = std::make_unique<SummaryScraper>(context_.bus(), context_.subjects(), settings_, store_, context_.metrics(),
                                                context_.log());
    service_->start();
    scraper_->start();
    context_.log().info("collecting node summaries every {} ms; serving metrics.k8s.io",
                        settings_.period.count());
  }

  void stop() override {
    if (scraper_) scraper_->stop();
    if (service_) service_->stop();
  }

  Health health() override {
    if (!scraper_) return Health::failing("not started");
    ScrapeRound round = scraper_->last_round();
    std::string state = std::to_string(round.answered) + " of " + std::to_string(round.nodes) + " nodes answered";
    if (round.failures.empty()) return Health::ok(state);
    std::string why;
    for (const auto& failure : round.failures) why += (why.empty() ? "" : "; ") + failure;
    return Health::degraded(state + " (" + why + ")");
  }

 private:
  Context& context_;
  Settings settings_;
  UsageStore store_;
  std::unique_ptr<MetricsService> service_;
  std::unique_ptr<SummaryScraper> scraper_;
};

}  // namespace
}  // namespace skiff::metrics

SKIFF_PLUGIN(skiff::metrics::MetricsPlugin)
