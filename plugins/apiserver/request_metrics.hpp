// Kubernetes' request metrics for every answered HTTP request: apiserver_request_total and
// apiserver_request_duration_seconds, labelled as kube-apiserver labels them (bounded values
// only), beside Skiff's own skiff_apiserver_requests_total.
#pragma once

#include <chrono>
#include <string>

#include "http_names.hpp"
#include "skiff/sdk/metrics.hpp"

namespace skiff::apiserver {

// The labels of one request; every value comes from a fixed set or the served resources.
struct RequestLabels {
  std::string verb;  // GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, DELETECOLLECTION, CONNECT …
  std::string group;
  std::string version;
  std::string resource;
  std::string subresource;
  std::string scope;  // resource, namespace, cluster, or "" for non-resource paths
};

RequestLabels request_labels(const HttpRequest& request);

// Records one answered request.
void record_request(sdk::Metrics& metrics, const HttpRequest& request, unsigned status,
                    std::chrono::steady_clock::duration elapsed);

}  // namespace skiff::apiserver
