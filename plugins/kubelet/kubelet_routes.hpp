// What the kubelet's HTTPS port answers, after the caller is authenticated (TokenReview) and
// authorized (nodes/<subresource>): /healthz, /metrics (this node's kernel and plugins),
// /metrics/resource, /metrics/cadvisor and /stats/summary (the node's stats over the bus).
#pragma once

#include <string>

#include <spdlog/logger.h>

#include "http_server.hpp"
#include "node_authorizer.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"
#include "resource_metrics.hpp"
#include "skiff/api/stats/v1alpha1/stats.pb.h"
#include "token_reviewer.hpp"

namespace skiff::kubelet {

using api::stats::v1alpha1::Summary;

class KubeletRoutes {
 public:
  KubeletRoutes(sdk::Bus& bus, const sdk::Subjects& subjects, std::string node, TokenReviewer& reviewer,
                NodeAuthorizer authorize, spdlog::logger& log);
  void handle(const http_common::HttpRequest& request, http_common::HttpResponder& response);

 private:
  // False (and the 401/403 sent) when the caller may not make this request.
  bool admit(const http_common::HttpRequest& request, http_common::HttpResponder& response);
  std::string node_metrics();
  // The node's stats Summary as its kubelet serves it on the bus; throws sdk::Error.
  Summary summary(bool only_cpu_and_memory);
  std::string resource_metrics();

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  std::string node_;
  TokenReviewer& reviewer_;
  NodeAuthorizer authorize_;
  spdlog::logger& log_;
};

}  // namespace skiff::kubelet
