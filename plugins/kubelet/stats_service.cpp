// Answers the stats subjects from the StatsProvider.
#include "stats_service.hpp"

#include "resource_metrics.hpp"

namespace skiff::kubelet {

namespace {

void serve_summary(StatsProvider& provider, const sdk::Request& request) {
  stats::SummaryRequest q;
  if (!q.ParseFromString(request.data()))
    return request.fail(sdk::Status::BadRequest("not a skiff.api.stats.v1alpha1.SummaryRequest"));
  try {
    request.reply(provider.summary(q.only_cpu_and_memory()).SerializeAsString());
  } catch (const sdk::Error& e) {
    request.fail(e.status());
  }
}

// As the kubelet does: a failed collection is still an answer, with resource_scrape_error 1.
void serve_resource_metrics(StatsProvider& provider, const sdk::Request& request) {
  try {
    request.reply(render_resource_metrics(provider.summary(true)));
  } catch (const sdk::Error&) {
    request.reply(render_resource_metrics(stats::Summary(), true));
  }
}

}  // namespace

std::vector<sdk::Subscription> serve_stats(sdk::Bus& bus, const sdk::Subjects& subjects, const std::string& node,
                                           StatsProvider& provider) {
  std::vector<sdk::Subscription> out;
  out.push_back(bus.serve(subjects.kubelet_on(node, "stats_summary"), "kubelet",
                          [&provider](sdk::Request r) { serve_summary(provider, r); }));
  out.push_back(bus.serve(subjects.kubelet_on(node, "metrics_resource"), "kubelet",
                          [&provider](sdk::Request r) { serve_resource_metrics(provider, r); }));
  return out;
}

}  // namespace skiff::kubelet
