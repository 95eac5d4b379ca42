// The node's stats on the bus: skiff.<c>.node.<n>.kubelet.stats_summary (SummaryRequest →
// Summary, what metrics-server and the HTTPS port's /stats/summary read) and
// kubelet.metrics_resource (→ the kubelet's /metrics/resource text).
#pragma once

#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"
#include "stats_provider.hpp"

namespace skiff::kubelet {

// Subscriptions answering from `provider`, which must outlive them.
std::vector<sdk::Subscription> serve_stats(sdk::Bus& bus, const sdk::Subjects& subjects, const std::string& node,
                                           StatsProvider& provider);

}  // namespace skiff::kubelet
