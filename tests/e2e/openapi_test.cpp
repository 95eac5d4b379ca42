// OpenAPI with the real clients on one all-in-one API node: `kubectl explain` with the current
// kubectl (v3 documents) and kubectl 1.20 (v2 protobuf), kubectl 1.20's client-side validation
// (a known manifest passes, an unknown field is refused with its usual message), and the
// documents over HTTP: v2 as JSON and as protobuf read back with our gnostic .proto, the v3
// index leading to a group document, ETags and 304s, the ?hash= caching.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_node.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "kubectl_versions.hpp"
#include "skiff/openapi/v2/gnostic.pb.h"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kProtobufAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: "25%"}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80, protocol: TCP}]
        env: [{name: MODE, value: "1"}]
        resources: {limits: {cpu: 500m, memory: 128Mi}, requests: {cpu: 0.1}}
)";

// The manifest with another metadata.name.
std::string renamed(std::string manifest, const std::string& name) {
  manifest.replace(manifest.find("name: web\n  labels"), 9, "name: " + name);
  return manifest;
}

class OpenApiKubectl : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override { SKIFF_REQUIRE_KUBECTL(GetParam()); }
  test::CommandResult kubectl(std::vector<std::string> args, const std::string& stdin_text = "") {
    return node.kubectl(GetParam().binary, args, stdin_text, 60s);
  }

  test::ApiNode node;
};

TEST_P(OpenApiKubectl, ExplainsAFieldPathAKindAndAListRecursively) {
  auto strategy = kubectl({"explain", "deployment.spec.strategy"});
  ASSERT_EQ(strategy.exit_code, 0) << strategy.both();
  EXPECT_NE(strategy.out.find("Deployment"), std::string::npos) << strategy.out;
  EXPECT_NE(strategy.out.find("rollingUpdate"), std::string::npos) << strategy.out;
  EXPECT_NE(strategy.out.find("type"), std::string::npos) << strategy.out;

  auto containers = kubectl({"explain", "pods.spec.containers", "--recursive"});
  ASSERT_EQ(containers.exit_code, 0) << containers.both();
  for (const char* field : {"containerPort", "mountPath", "livenessProbe", "valueFrom", "limits"})
    EXPECT_NE(containers.out.find(field), std::string::npos) << field << " in\n" << containers.out;

  auto svc = kubectl({"explain", "svc"});
  ASSERT_EQ(svc.exit_code, 0) << svc.both();
  EXPECT_NE(svc.out.find("Service"), std::string::npos) << svc.out;
  for (const char* field : {"apiVersion", "metadata", "spec", "status"})
    EXPECT_NE(svc.out.find(field), std::string::npos) << field << " in\n" << svc.out;
}

TEST_P(OpenApiKubectl, ValidManifestsPassAndAnUnknownFieldIsRefused) {
  auto created = kubectl({"create", "-f", "-"}, kDeployment);
  EXPECT_EQ(created.exit_code, 0) << created.both();
  auto applied = kubectl({"apply", "-f", "-"}, renamed(kDeployment, "api"));
  EXPECT_EQ(applied.exit_code, 0) << applied.both();

  std::string typo = renamed(kDeployment, "typo");
  typo.replace(typo.find("  replicas: 2"), 13, "  replica: 2");
  auto refused = kubectl({"create", "-f", "-"}, typo);
  EXPECT_NE(refused.exit_code, 0) << refused.both();
  if (GetParam().name == "kubectl_1_20") {  // refused by kubectl itself, against /openapi/v2
    EXPECT_NE(refused.err.find("error validating data: ValidationError(Deployment.spec): unknown field \"replica\" in "
                               "io.k8s.api.apps.v1.DeploymentSpec"),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("turn validation off with --validate=false"), std::string::npos) << refused.err;
  } else {  // newer ones leave it to the server (fieldValidation=Strict, advertised in /openapi/v3)
    EXPECT_NE(refused.err.find("unknown field \"spec.replica\""), std::string::npos) << refused.err;
  }
  auto none = kubectl({"get", "deployment", "typo"});
  EXPECT_NE(none.exit_code, 0) << none.both();
}

INSTANTIATE_TEST_SUITE_P(Clients, OpenApiKubectl, test::all_kubectls(), test::kubectl_name);

class OpenApiHttp : public ::testing::Test {
 protected:
  test::ApiNode node;
  test::HttpClient http{node.port(), node.ca_file(), node.token()};
};

TEST_F(OpenApiHttp, V2IsJsonOrGnosticProtobufWithAnETag) {
  auto as_json = http.get("/openapi/v2", {{"Accept", "application/json"}});
  ASSERT_EQ(as_json.status, 200);
  EXPECT_EQ(as_json.headers["Content-Type"], "application/json");
  json::value v2 = json::parse(as_json.body);
  EXPECT_EQ(v2.at("swagger"), "2.0");
  EXPECT_EQ(json::serialize(v2.at("definitions").at("io.k8s.api.apps.v1.Deployment").at("x-kubernetes-group-version-kind")),
            R"([{"group":"apps","kind":"Deployment","version":"v1"}])");

  auto as_proto = http.get("/openapi/v2?timeout=32s", {{"Accept", kProtobufAccept}});
  ASSERT_EQ(as_proto.status, 200);
  EXPECT_EQ(as_proto.headers["Content-Type"], "application/octet-stream");
  openapi::v2::Document doc;
  ASSERT_TRUE(doc.ParseFromString(as_proto.body));
  EXPECT_EQ(static_cast<std::size_t>(doc.definitions().additional_properties_size()),
            v2.at("definitions").as_object().size());

  std::string etag = as_proto.headers["ETag"];
  ASSERT_FALSE(etag.empty());
  EXPECT_NE(etag, as_json.headers["ETag"]) << "each form has its own ETag";
  auto again = http.get("/openapi/v2", {{"Accept", kProtobufAccept}, {"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(http.get("/openapi/v2", {{"Accept", kProtobufAccept}, {"If-None-Match", "\"stale\""}}).status, 200);
}

TEST_F(OpenApiHttp, V3IndexLeadsToGroupDocumentsCachedByHash) {
  auto index = http.get("/openapi/v3", {{"Accept", "application/json"}});
  ASSERT_EQ(index.status, 200);
  json::value paths = json::parse(index.body).at("paths");
  ASSERT_TRUE(paths.as_object().contains("api/v1")) << index.body;
  std::string url(paths.at("apis/apps/v1").at("serverRelativeURL").as_string());
  ASSERT_EQ(url.rfind("/openapi/v3/apis/apps/v1?hash=", 0), 0u) << url;

  auto apps = http.get(url, {{"Accept", "application/json"}});
  ASSERT_EQ(apps.status, 200);
  EXPECT_EQ(apps.headers["Cache-Control"], "public, immutable");
  EXPECT_FALSE(apps.headers["Expires"].empty());
  json::value doc = json::parse(apps.body);
  EXPECT_EQ(doc.at("openapi"), "3.0.0");
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("io.k8s.api.apps.v1.Deployment"));
  std::string hash = url.substr(url.find("hash=") + 5);
  EXPECT_EQ(apps.headers["ETag"], "\"" + hash + "\"");

  auto revalidated = http.get("/openapi/v3/apis/apps/v1", {{"If-None-Match", apps.headers["ETag"]}});
  EXPECT_EQ(revalidated.status, 304);
  auto old = http.get("/openapi/v3/apis/apps/v1?hash=0123", {});
  EXPECT_EQ(old.status, 301);
  EXPECT_EQ(old.headers["Location"], url);
  auto unknown = http.get("/openapi/v3/apis/nothing.example.com/v1", {});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("GET /openapi/v3 lists"), std::string::npos) << unknown.body;
}

}  // namespace
