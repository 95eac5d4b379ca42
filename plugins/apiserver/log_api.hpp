// logging.skiff.io/v1 podlogs: cluster logs kept by the logging addon (deleted pods' too),
// read-only, with kubectl's auth and kubeconfig. Answered by whichever plugin serves
// skiff.<c>.logging.query; the group is in discovery only while one answers.
//   GET /apis/logging.skiff.io/v1/podlogs                               every namespace
//   GET /apis/logging.skiff.io/v1/namespaces/{ns}/podlogs[/{pod}]
// Query: container, podUID, labelSelector, node, sinceSeconds, sinceTime, untilTime, grep
// (ECMAScript regex), contains, limit, reverse, follow (JSON lines, chunked).
#pragma once

#include <chrono>
#include <mutex>

#include "http_names.hpp"
#include "request_info.hpp"
#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

inline constexpr const char* kLoggingGroup = "logging.skiff.io";

// The LogQuery a request asks for; throws ApiError(400) naming a bad parameter.
logging::v1::LogQuery log_query_of(const RequestInfo& info, const HttpRequest& request);

class LogApi {
 public:
  LogApi(sdk::Bus& bus, const sdk::Subjects& subjects) : bus_(bus), subjects_(subjects) {}

  // Whether the logging addon answers; asked at most every few seconds.
  bool available();
  // /apis/logging.skiff.io/v1 and everything under it.
  void handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response);

 private:
  // As a PodLogList, or as a Table for kubectl get (Accept: ...;as=Table).
  void list(logging::v1::LogQuery query, HttpResponder& response, bool as_table);
  void follow(logging::v1::LogQuery query, HttpResponder& response);
  // Sends the query; a refusal becomes the ApiError the client sees.
  void ask(const logging::v1::LogQuery& query);

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  std::mutex mutex_;
  bool available_ = false;
  std::chrono::steady_clock::time_point checked_{};
};

}  // namespace skiff::apiserver
