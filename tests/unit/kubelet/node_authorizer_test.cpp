// A request to the kubelet's HTTPS port is an action on its Node, as the kubelet's webhook
// authorization names it (pkg/kubelet/server/auth.go).
#include <gtest/gtest.h>

#include "node_authorizer.hpp"

namespace {

using skiff::kubelet::node_request_attributes;

TEST(NodeAuthorizer, PathsMapToTheKubeletsSubresources) {
  EXPECT_EQ(node_request_attributes("GET", "/stats/summary", "n1").subresource, "stats");
  EXPECT_EQ(node_request_attributes("GET", "/stats", "n1").subresource, "stats");
  EXPECT_EQ(node_request_attributes("GET", "/metrics", "n1").subresource, "metrics");
  EXPECT_EQ(node_request_attributes("GET", "/metrics/cadvisor", "n1").subresource, "metrics");
  EXPECT_EQ(node_request_attributes("GET", "/logs/syslog", "n1").subresource, "log");
  EXPECT_EQ(node_request_attributes("GET", "/healthz", "n1").subresource, "proxy");
  EXPECT_EQ(node_request_attributes("GET", "/statsfoo", "n1").subresource, "proxy") << "a prefix, not a path";
}

TEST(NodeAuthorizer, MethodsMapToVerbsOnTheNode) {
  auto attributes = node_request_attributes("GET", "/metrics", "worker-1");
  EXPECT_EQ(attributes.verb, "get");
  EXPECT_EQ(attributes.resource, "nodes");
  EXPECT_EQ(attributes.name, "worker-1");
  EXPECT_EQ(node_request_attributes("POST", "/exec", "n").verb, "create");
  EXPECT_EQ(node_request_attributes("DELETE", "/x", "n").verb, "delete");
}

TEST(NodeAuthorizer, EveryAuthenticatedUserMayUntilRbacExists) {
  EXPECT_TRUE(skiff::kubelet::allow_authenticated()({"someone", "uid", {}}, node_request_attributes("GET", "/metrics", "n")));
}

}  // namespace
