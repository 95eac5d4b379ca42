// apiserver_request_total's labels as kube-apiserver sets them, and bounded: a URL naming no
// served resource cannot add label values.
#include <gtest/gtest.h>

#include "request_metrics.hpp"

namespace {

using namespace skiff::apiserver;
using boost::beast::http::verb;

HttpRequest request(verb method, const std::string& path, const std::string& query = "",
                    const std::string& content_type = "") {
  HttpRequest r;
  r.method = method;
  r.method_text = std::string(boost::beast::http::to_string(method));
  r.path = path;
  r.target = path + (query.empty() ? "" : "?" + query);
  if (!query.empty()) r.query.emplace_back(query.substr(0, query.find('=')), query.substr(query.find('=') + 1));
  if (!content_type.empty()) r.headers.set(boost::beast::http::field::content_type, content_type);
  return r;
}

TEST(RequestMetrics, VerbsAreKubernetesRouteVerbs) {
  EXPECT_EQ(request_labels(request(verb::get, "/api/v1/pods")).verb, "LIST");
  EXPECT_EQ(request_labels(request(verb::get, "/api/v1/namespaces/a/pods/p")).verb, "GET");
  EXPECT_EQ(request_labels(request(verb::get, "/api/v1/pods", "watch=true")).verb, "WATCH");
  EXPECT_EQ(request_labels(request(verb::post, "/api/v1/namespaces/a/pods")).verb, "POST");
  EXPECT_EQ(request_labels(request(verb::put, "/api/v1/namespaces/a/pods/p")).verb, "PUT");
  EXPECT_EQ(request_labels(request(verb::patch, "/api/v1/namespaces/a/pods/p", "", "application/merge-patch+json")).verb,
            "PATCH");
  EXPECT_EQ(request_labels(request(verb::patch, "/api/v1/namespaces/a/pods/p", "", "application/apply-patch+yaml")).verb,
            "APPLY");
  EXPECT_EQ(request_labels(request(verb::delete_, "/api/v1/namespaces/a/pods/p")).verb, "DELETE");
  EXPECT_EQ(request_labels(request(verb::delete_, "/api/v1/namespaces/a/pods")).verb, "DELETECOLLECTION");
  EXPECT_EQ(request_labels(request(verb::post, "/api/v1/namespaces/a/pods/p/exec")).verb, "CONNECT");
  EXPECT_EQ(request_labels(request(verb::get, "/api/v1/namespaces/a/pods/p/portforward")).verb, "CONNECT");
}

TEST(RequestMetrics, ResourceLabelsAndScope) {
  RequestLabels pods = request_labels(request(verb::get, "/apis/apps/v1/namespaces/a/deployments/d/scale"));
  EXPECT_EQ(pods.group, "apps");
  EXPECT_EQ(pods.version, "v1");
  EXPECT_EQ(pods.resource, "deployments");
  EXPECT_EQ(pods.subresource, "scale");
  EXPECT_EQ(pods.scope, "resource");
  EXPECT_EQ(request_labels(request(verb::get, "/api/v1/namespaces/a/pods")).scope, "namespace");
  EXPECT_EQ(request_labels(request(verb::get, "/api/v1/nodes")).scope, "cluster");
  EXPECT_EQ(request_labels(request(verb::post, "/api/v1/namespaces/a/pods")).scope, "resource");
}

TEST(RequestMetrics, UnservedResourcesAndSubresourcesBecomeOther) {
  RequestLabels made_up = request_labels(request(verb::get, "/apis/evil.example/v9/x-1234"));
  EXPECT_EQ(made_up.group, "other");
  EXPECT_EQ(made_up.version, "other");
  EXPECT_EQ(made_up.resource, "other");
  EXPECT_EQ(request_labels(request(verb::get, "/api/v2/pods")).resource, "other") << "a version not served";
  EXPECT_EQ(request_labels(request(verb::get, "/api/v1/namespaces/a/pods/p/anything-at-all")).subresource, "other");
  EXPECT_EQ(request_labels(request(verb::get, "/apis/metrics.k8s.io/v1beta1/pods")).resource, "pods");
}

TEST(RequestMetrics, NonResourcePathsCarryTheMethodOnly) {
  RequestLabels health = request_labels(request(verb::get, "/healthz"));
  EXPECT_EQ(health.verb, "GET");
  EXPECT_EQ(health.resource, "");
  EXPECT_EQ(health.scope, "");
  EXPECT_EQ(request_labels(request(verb::unknown, "/whatever")).verb, "other");
}

}  // namespace
