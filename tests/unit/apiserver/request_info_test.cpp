// What a request URL names: Kubernetes' URL grammar and the verb each method implies.
#include <gtest/gtest.h>

#include "request_info.hpp"

namespace {

using namespace skiff;
using boost::beast::http::verb;

apiserver::RequestInfo info(verb method, const std::string& path, std::vector<std::pair<std::string, std::string>> query = {}) {
  apiserver::HttpRequest request;
  request.method = method;
  request.path = path;
  request.query = std::move(query);
  return apiserver::parse_request_info(request);
}

// "group|version|namespace|resource|name|subresource|verb"
std::string summary(const apiserver::RequestInfo& i) {
  return i.group + "|" + i.version + "|" + i.namespace_ + "|" + i.resource + "|" + i.name + "|" + i.subresource + "|" + i.verb;
}

TEST(RequestInfo, DiscoveryAndOtherPathsAreNoResources) {
  EXPECT_FALSE(info(verb::get, "/healthz").is_resource);
  EXPECT_FALSE(info(verb::get, "/api").is_resource);
  auto core = info(verb::get, "/api/v1");
  EXPECT_FALSE(core.is_resource);
  EXPECT_EQ(core.version, "v1");
  auto apps = info(verb::get, "/apis/apps/v1/");
  EXPECT_FALSE(apps.is_resource);
  EXPECT_EQ(apps.group, "apps");
  EXPECT_FALSE(info(verb::get, "/apis/apps").is_resource);
}

TEST(RequestInfo, NamespacedAndClusterResources) {
  EXPECT_EQ(summary(info(verb::get, "/api/v1/namespaces/default/pods")), "|v1|default|pods|||list");
  EXPECT_EQ(summary(info(verb::get, "/api/v1/namespaces/default/pods/web")), "|v1|default|pods|web||get");
  EXPECT_EQ(summary(info(verb::get, "/api/v1/pods")), "|v1||pods|||list");
  EXPECT_EQ(summary(info(verb::get, "/api/v1/nodes/node-1")), "|v1||nodes|node-1||get");
  EXPECT_EQ(summary(info(verb::put, "/apis/apps/v1/namespaces/default/deployments/web/scale")),
            "apps|v1|default|deployments|web|scale|update");
  EXPECT_EQ(summary(info(verb::post, "/api/v1/namespaces/default/pods/web/binding")), "|v1|default|pods|web|binding|create");
}

TEST(RequestInfo, ANamespaceIsItselfAResource) {
  EXPECT_EQ(summary(info(verb::get, "/api/v1/namespaces")), "|v1||namespaces|||list");
  EXPECT_EQ(summary(info(verb::get, "/api/v1/namespaces/team-a")), "|v1||namespaces|team-a||get");
  EXPECT_EQ(summary(info(verb::delete_, "/api/v1/namespaces/team-a")), "|v1||namespaces|team-a||delete");
  // Kubernetes' namespace subresources: status and finalize belong to the namespace object.
  EXPECT_EQ(summary(info(verb::put, "/api/v1/namespaces/team-a/status")), "|v1||namespaces|team-a|status|update");
  EXPECT_EQ(summary(info(verb::put, "/api/v1/namespaces/team-a/finalize")), "|v1||namespaces|team-a|finalize|update");
}

TEST(RequestInfo, VerbsFromMethodsAndWatch) {
  EXPECT_EQ(info(verb::get, "/api/v1/namespaces/default/pods", {{"watch", "true"}}).verb, "watch");
  EXPECT_EQ(info(verb::get, "/api/v1/namespaces/default/pods", {{"watch", "1"}}).verb, "watch");
  EXPECT_EQ(info(verb::get, "/api/v1/namespaces/default/pods", {{"watch", "false"}}).verb, "list");
  EXPECT_EQ(info(verb::get, "/api/v1/namespaces/default/pods/web", {{"watch", "true"}}).verb, "get");
  EXPECT_EQ(info(verb::post, "/api/v1/namespaces/default/pods").verb, "create");
  EXPECT_EQ(info(verb::patch, "/api/v1/namespaces/default/pods/web").verb, "patch");
  EXPECT_EQ(info(verb::delete_, "/api/v1/namespaces/default/pods").verb, "deletecollection");
  EXPECT_EQ(info(verb::delete_, "/api/v1/namespaces/default/pods/web").verb, "delete");
}

TEST(RequestInfo, ExtraSegmentsStayVisibleInTheSubresource) {
  EXPECT_EQ(info(verb::get, "/api/v1/namespaces/default/pods/web/log/extra").subresource, "log/extra");
}

}  // namespace
