// A Summary as Prometheus text: the kubelet's /metrics/resource (what metrics-server scrapes)
// and a cAdvisor-style /metrics/cadvisor subset. Shared by the bus subject and the HTTPS port.
#pragma once

#include <string>

#include "skiff/api/stats/v1alpha1/stats.pb.h"

namespace skiff::kubelet {

// node_/pod_/container_ cpu usage seconds and memory working set, container start times and
// resource_scrape_error (scrape_error, its deprecated name, too), each family with # HELP and
// # TYPE, families and series sorted as client_golang writes them, samples stamped with their
// reading's time in milliseconds. `scrape_error`: the collection failed (the summary may be empty).
std::string render_resource_metrics(const api::stats::v1alpha1::Summary& summary, bool scrape_error = false);

// cAdvisor's names for the containers' CPU, memory (working set, RSS, usage) and writable
// layer, labelled container/namespace/pod, and each pod's network per interface (container "POD").
std::string render_cadvisor_metrics(const api::stats::v1alpha1::Summary& summary);

// A sample value as Go's strconv.FormatFloat(v, 'g', -1, 64): shortest round trip, exponent
// form from 1e+06 up and below 1e-04 ("1.5e+09", "0.25", "12345").
std::string go_float(double value);

}  // namespace skiff::kubelet
