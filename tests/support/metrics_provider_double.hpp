// Plays metrics-server on the bus (skiff.<c>.metrics.pods): every running pod a request
// selects uses the percentage of its cpu request the test sets, so HPA tests choose the load.
#pragma once

#include <atomic>

#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::api::metrics::v1beta1 {
class MetricsRequest;
class MetricsResponse;
}  // namespace skiff::api::metrics::v1beta1

namespace skiff::test {

class MetricsProviderDouble {
 public:
  MetricsProviderDouble(sdk::Bus& bus, const sdk::Subjects& subjects);
  // Each container's cpu usage, as a percentage of its request (100m when it requests none).
  void set_percent(int percent) { percent_ = percent; }

 private:
  api::metrics::v1beta1::MetricsResponse answer(const api::metrics::v1beta1::MetricsRequest& request);

  sdk::ApiClient api_;
  std::atomic<int> percent_{0};
  sdk::Subscription serving_;
};

}  // namespace skiff::test
