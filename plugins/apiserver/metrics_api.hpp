// metrics.k8s.io/v1beta1 (what `kubectl top` reads), answered by whichever plugin serves
// skiff.<c>.metrics.nodes / .pods. The group is in discovery only while one answers.
#pragma once

#include <chrono>
#include <mutex>

#include <boost/json/value.hpp>

#include "http_names.hpp"
#include "request_info.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

inline constexpr const char* kMetricsGroup = "metrics.k8s.io";

class MetricsApi {
 public:
  MetricsApi(sdk::Bus& bus, const sdk::Subjects& subjects) : bus_(bus), subjects_(subjects) {}

  // Whether a metrics provider answers; asked at most every few seconds.
  bool available();
  // /apis/metrics.k8s.io/v1beta1 and everything under it.
  void handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response);

 private:
  boost::json::value resource_list() const;

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  std::mutex mutex_;
  bool available_ = false;
  std::chrono::steady_clock::time_point checked_{};
};

}  // namespace skiff::apiserver
