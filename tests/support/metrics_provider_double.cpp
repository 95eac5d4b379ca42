// A metrics provider double: PodMetrics made from the pods' requests and the test's percentage.
#include "metrics_provider_double.hpp"

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/metrics/v1beta1/metrics.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::test {

namespace m = api::metrics::v1beta1;

MetricsProviderDouble::MetricsProviderDouble(sdk::Bus& bus, const sdk::Subjects& subjects) : api_(bus, subjects) {
  serving_ = sdk::serve_proto<m::MetricsRequest>(bus, subjects.resource_metrics("pods"), "metrics",
                                                 [this](const m::MetricsRequest& r, const sdk::Request&) { return answer(r); });
}

m::MetricsResponse MetricsProviderDouble::answer(const m::MetricsRequest& request) {
  m::MetricsResponse response;
  for (const auto& pod : api_.list<api::core::v1::Pod>(request.namespace_(), request.label_selector())) {
    if (pod.status().phase() != "Running") continue;
    if (!request.name().empty() && pod.metadata().name() != request.name()) continue;
    m::PodMetrics usage;
    usage.mutable_metadata()->set_name(pod.metadata().name());
    usage.mutable_metadata()->set_namespace_(pod.metadata().namespace_());
    usage.set_timestamp(sdk::now_rfc3339());
    usage.set_window("1s");
    for (const auto& c : pod.spec().containers()) {
      auto* container = usage.add_containers();
      container->set_name(c.name());
      auto request_cpu = c.resources().requests().find("cpu");
      std::int64_t milli = request_cpu == c.resources().requests().end()
                               ? 100
                               : sdk::parse_quantity_milli(request_cpu->second).value_or(0) * percent_ / 100;
      (*container->mutable_usage())["cpu"] = std::to_string(milli) + "m";
      (*container->mutable_usage())["memory"] = "10Mi";
    }
    response.add_items(usage.SerializeAsString());
  }
  return response;
}

}  // namespace skiff::test
