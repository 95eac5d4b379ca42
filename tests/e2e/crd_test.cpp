// CustomResourceDefinitions end to end on one all-in-one node: kubectl (1.20, the machine's,
// 1.27) applies a CRD with a schema, waits for Established, then works with its objects —
// columns, refusals naming the field, pruning, defaults, scale, short names and categories, a
// cluster-scoped CRD — and deleting the CRD takes its objects and its discovery with it.
// Over HTTP: watch, the status subresource, generation, patches, selectors, discovery; and the
// official Python client's CustomObjectsApi.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/json.hpp>

#include "api_node.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "kubectl_versions.hpp"
#include "skiff/testing/wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

const char* kWidgetCrd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [image]
            properties:
              image: {type: string, minLength: 1}
              replicas: {type: integer, minimum: 0, default: 1}
              color: {type: string, enum: [red, blue], default: red}
          status:
            type: object
            properties:
              replicas: {type: integer}
              phase: {type: string}
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Image, type: string, jsonPath: .spec.image}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
)";

const char* kGizmoCrd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gizmos.tools.example.com
spec:
  group: tools.example.com
  scope: Cluster
  names: {plural: gizmos, singular: gizmo, kind: Gizmo}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
)";

class KubectlCrd : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override { SKIFF_REQUIRE_KUBECTL(GetParam()); }
  test::CommandResult kubectl(std::vector<std::string> args, const std::string& input = "") {
    return node.kubectl(GetParam().binary, args, input, 60s);
  }
  bool is_120() const { return GetParam().name == "kubectl_1_20"; }
  void apply_crd(const char* yaml, const std::string& name) {
    auto applied = kubectl({"apply", "-f", "-"}, yaml);
    ASSERT_EQ(applied.exit_code, 0) << applied.both();
    ASSERT_TRUE(test::wait_until([&] {
      return kubectl({"get", "crd", name, "-o", "jsonpath={.status.conditions[?(@.type==\"Established\")].status}"}).out == "True";
    }, 20s, 100ms)) << kubectl({"get", "crd", name, "-o", "yaml"}).both();
  }

  test::ApiNode node;
};

TEST_P(KubectlCrd, AppliesACrdAndWorksWithItsObjects) {
  apply_crd(kWidgetCrd, "widgets.example.com");
  // The schema is published in OpenAPI (v2 for kubectl 1.20, v3 for newer): explain reads it.
  test::CommandResult explained;
  EXPECT_TRUE(test::wait_until([&] {
    explained = kubectl({"explain", "widgets.spec.replicas"});
    return explained.exit_code == 0;
  }, 10s, 200ms)) << explained.both();
  EXPECT_NE(explained.out.find("integer"), std::string::npos) << explained.out;
  auto resources = kubectl({"api-resources", "--api-group=example.com"});
  EXPECT_NE(resources.out.find("widgets"), std::string::npos) << resources.both();
  EXPECT_NE(resources.out.find("wd"), std::string::npos) << resources.both();

  // An unknown field is pruned (client checks off: kubectl ≥1.25 asks the server to be strict),
  // the defaults are filled.
  auto created = kubectl({"apply", "--validate=false", "-f", "-"},
                         "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\n"
                         "spec: {image: nginx, replicas: 3, bogus: 1}\n");
  ASSERT_EQ(created.exit_code, 0) << created.both();
  auto stored = json::parse(kubectl({"get", "widget", "w1", "-o", "json"}).out);
  EXPECT_FALSE(stored.at("spec").as_object().contains("bogus")) << stored;
  EXPECT_EQ(stored.at("spec").at("color"), "red") << stored;
  EXPECT_EQ(stored.at("metadata").at("generation"), 1) << stored;

  auto table = kubectl({"get", "widgets"});
  EXPECT_EQ(table.exit_code, 0) << table.both();
  EXPECT_NE(table.out.find("REPLICAS"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("IMAGE"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("AGE"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("nginx"), std::string::npos) << table.out;
  EXPECT_EQ(kubectl({"get", "wd", "-o", "name"}).out, "widget.example.com/w1\n");
  EXPECT_NE(kubectl({"get", "all"}).out.find("widget.example.com/w1"), std::string::npos) << "category all";

  // The server's own check (kubectl 1.20 would check first against the published schema).
  auto invalid = kubectl({"apply", "--validate=false", "-f", "-"},
                         "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {image: nginx, replicas: three}\n");
  EXPECT_NE(invalid.exit_code, 0);
  EXPECT_NE(invalid.err.find(R"(spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string")"),
            std::string::npos)
      << invalid.both();
  auto missing = kubectl({"create", "--validate=false", "-f", "-"}, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w3}\nspec: {color: green}\n");
  EXPECT_NE(missing.err.find("spec.image: Required value"), std::string::npos) << missing.both();
  EXPECT_NE(missing.err.find(R"(spec.color: Unsupported value: "green")"), std::string::npos) << missing.both();
  if (!is_120()) {
    auto strict = kubectl({"apply", "--validate=strict", "-f", "-"},
                          "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w4}\nspec: {image: x, extra: 1}\n");
    EXPECT_NE(strict.exit_code, 0);
    EXPECT_NE(strict.err.find(R"(unknown field "spec.extra")"), std::string::npos) << strict.both();
  }

  auto scaled = kubectl({"scale", "widget", "w1", "--replicas=5"});
  EXPECT_EQ(scaled.exit_code, 0) << scaled.both();
  EXPECT_EQ(kubectl({"get", "widget", "w1", "-o", "jsonpath={.spec.replicas}"}).out, "5");
  EXPECT_EQ(kubectl({"get", "widget", "w1", "-o", "jsonpath={.metadata.generation}"}).out, "2");

  auto labelled = kubectl({"label", "widget", "w1", "tier=web"});
  EXPECT_EQ(labelled.exit_code, 0) << labelled.both();
  EXPECT_EQ(kubectl({"get", "widgets", "-l", "tier=web", "-o", "name"}).out, "widget.example.com/w1\n");
  auto patched = kubectl({"patch", "widget", "w1", "--type=merge", "-p", R"({"spec":{"image":"httpd"}})"});
  EXPECT_EQ(patched.exit_code, 0) << patched.both();
  EXPECT_EQ(kubectl({"get", "widget", "w1", "-o", "jsonpath={.spec.image}"}).out, "httpd");

  // A cluster-scoped CRD.
  apply_crd(kGizmoCrd, "gizmos.tools.example.com");
  auto gizmo = kubectl({"apply", "-f", "-"}, "apiVersion: tools.example.com/v1\nkind: Gizmo\nmetadata: {name: g1}\nanything: {goes: 1}\n");
  EXPECT_EQ(gizmo.exit_code, 0) << gizmo.both();
  auto gizmos = kubectl({"get", "gizmos"});
  EXPECT_NE(gizmos.out.find("g1"), std::string::npos) << gizmos.both();
  EXPECT_EQ(kubectl({"get", "gizmo", "g1", "-o", "jsonpath={.anything.goes}"}).out, "1");

  // Deleting the CRD deletes its objects, then the CRD, then the resource leaves discovery.
  auto deleted = kubectl({"delete", "crd", "widgets.example.com"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.both();
  EXPECT_TRUE(test::wait_until([&] { return kubectl({"get", "crd", "widgets.example.com"}).exit_code != 0; }, 20s, 100ms));
  EXPECT_TRUE(test::wait_until([&] {
    return kubectl({"api-resources", "--api-group=example.com"}).out.find("widgets") == std::string::npos;
  }, 20s, 200ms));
  EXPECT_NE(kubectl({"get", "widgets"}).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlCrd, test::all_kubectls(), test::kubectl_name);

class CustomResourcesHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = admin.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", kWidgetCrd,
                                 "application/yaml");
    ASSERT_EQ(created.status, 201) << created.body;
    ASSERT_TRUE(test::wait_until([&] {
      return admin.request("GET", "/apis/example.com/v1/namespaces/default/widgets").status == 200;
    }, 5s, 20ms)) << "served within seconds of its creation";
  }
  test::HttpResponse widget(const std::string& method, const std::string& name, const std::string& body = "",
                            const std::string& content_type = "application/json", const std::string& sub = "") {
    std::string path = "/apis/example.com/v1/namespaces/default/widgets" + (name.empty() ? "" : "/" + name) + sub;
    return admin.request(method, path, body, content_type);
  }

  test::ApiNode node;
  test::HttpClient admin{node.port(), node.ca_file(), node.token()};
};

TEST_F(CustomResourcesHttp, DiscoveryListsTheGroupTheResourceAndItsSubresources) {
  auto groups = admin.request("GET", "/apis");
  EXPECT_NE(groups.body.find("\"name\":\"example.com\""), std::string::npos) << groups.body;
  auto group = admin.request("GET", "/apis/example.com");
  EXPECT_EQ(group.status, 200) << group.body;
  EXPECT_NE(group.body.find("\"preferredVersion\":{\"groupVersion\":\"example.com/v1\""), std::string::npos) << group.body;
  auto resources = json::parse(admin.request("GET", "/apis/example.com/v1").body);
  std::vector<std::string> names;
  for (const auto& r : resources.at("resources").as_array()) names.push_back(std::string(r.at("name").as_string()));
  EXPECT_EQ(names, (std::vector<std::string>{"widgets", "widgets/status", "widgets/scale"}));
  EXPECT_EQ(resources.at("resources").at(0).at("shortNames"), (json::array{"wd"}));
  EXPECT_EQ(admin.request("GET", "/apis/example.com/v2").status, 404);
}

TEST_F(CustomResourcesHttp, StatusSubresourceGenerationPatchesAndSelectors) {
  auto created = widget("POST", "", R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a","labels":{"app":"x"}},
    "spec":{"image":"nginx"},"status":{"phase":"Ignored"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto object = json::parse(created.body);
  EXPECT_FALSE(object.as_object().contains("status")) << "status starts empty with a status subresource";
  EXPECT_FALSE(object.at("metadata").at("uid").as_string().empty());
  EXPECT_FALSE(object.at("metadata").at("creationTimestamp").as_string().empty());

  auto status = widget("PUT", "a", R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"a"},
    "spec":{"image":"changed"},"status":{"phase":"Ready","replicas":1}})", "application/json", "/status");
  ASSERT_EQ(status.status, 200) << status.body;
  object = json::parse(status.body);
  EXPECT_EQ(object.at("status").at("phase"), "Ready");
  EXPECT_EQ(object.at("spec").at("image"), "nginx") << "/status changes only the status";
  EXPECT_EQ(object.at("metadata").at("generation"), 1) << "a status change keeps the generation";

  auto merged = widget("PATCH", "a", R"({"spec":{"replicas":4},"status":{"phase":"Lost"}})", "application/merge-patch+json");
  ASSERT_EQ(merged.status, 200) << merged.body;
  object = json::parse(merged.body);
  EXPECT_EQ(object.at("spec").at("replicas"), 4);
  EXPECT_EQ(object.at("status").at("phase"), "Ready") << "the main resource does not change the status";
  EXPECT_EQ(object.at("metadata").at("generation"), 2);
  auto json_patch = widget("PATCH", "a", R"([{"op":"replace","path":"/spec/image","value":"httpd"}])",
                           "application/json-patch+json");
  EXPECT_EQ(json::parse(json_patch.body).at("spec").at("image"), "httpd") << json_patch.body;
  auto strategic = widget("PATCH", "a", R"({"spec":{"replicas":1}})", "application/strategic-merge-patch+json");
  EXPECT_EQ(strategic.status, 415) << strategic.body;
  auto invalid = widget("PATCH", "a", R"({"spec":{"replicas":-1}})", "application/merge-patch+json");
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_NE(invalid.body.find("spec.replicas in body should be greater than or equal to 0"), std::string::npos) << invalid.body;

  ASSERT_EQ(widget("POST", "", R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"b"},"spec":{"image":"x"}})").status, 201);
  auto selected = json::parse(admin.request("GET", "/apis/example.com/v1/namespaces/default/widgets?labelSelector=app%3Dx").body);
  EXPECT_EQ(selected.at("items").as_array().size(), 1u);
  EXPECT_EQ(selected.at("kind"), "WidgetList");
  auto by_name = json::parse(admin.request("GET", "/apis/example.com/v1/widgets?fieldSelector=metadata.name%3Db").body);
  ASSERT_EQ(by_name.at("items").as_array().size(), 1u);
  auto page = json::parse(admin.request("GET", "/apis/example.com/v1/namespaces/default/widgets?limit=1").body);
  ASSERT_EQ(page.at("items").as_array().size(), 1u);
  std::string token(page.at("metadata").at("continue").as_string());
  auto rest = json::parse(admin.request("GET", "/apis/example.com/v1/namespaces/default/widgets?limit=1&continue=" + token).body);
  EXPECT_EQ(rest.at("items").at(0).at("metadata").at("name"), "b");

  auto scale = json::parse(widget("GET", "a", "", "application/json", "/scale").body);
  EXPECT_EQ(scale.at("spec").at("replicas"), 4);
  EXPECT_EQ(scale.at("status").at("replicas"), 1);

  auto gone = widget("DELETE", "b");
  EXPECT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(widget("DELETE", "", "", "application/json", "?labelSelector=app%3Dx").status, 200);
  EXPECT_EQ(json::parse(widget("GET", "").body).at("items").as_array().size(), 0u);
}

TEST_F(CustomResourcesHttp, AWatchSeesChangesAndFinalizersHoldADelete) {
  std::atomic<bool> added{false}, modified{false}, deleted{false};
  std::thread watcher([&] {
    admin.stream("/apis/example.com/v1/namespaces/default/widgets?watch=true&timeoutSeconds=20", [&](const std::string& chunk) {
      if (chunk.find("\"type\":\"ADDED\"") != std::string::npos) added = true;
      if (chunk.find("\"type\":\"MODIFIED\"") != std::string::npos) modified = true;
      if (chunk.find("\"type\":\"DELETED\"") != std::string::npos) deleted = true;
      return !deleted;
    }, 25s);
  });
  // The watch starts from a list, so it sees the object as ADDED whenever it begins.
  auto created = widget("POST", "", R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w",
    "finalizers":["example.com/hold"]},"spec":{"image":"x"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(test::wait_until([&] { return added.load(); }, 10s));
  auto held = widget("DELETE", "w");
  EXPECT_EQ(held.status, 200);
  EXPECT_FALSE(json::parse(held.body).at("metadata").at("deletionTimestamp").as_string().empty()) << held.body;
  EXPECT_TRUE(test::wait_until([&] { return modified.load(); }, 10s));
  auto released = widget("PATCH", "w", R"({"metadata":{"finalizers":null}})", "application/merge-patch+json");
  EXPECT_EQ(released.status, 200) << released.body;
  EXPECT_TRUE(test::wait_until([&] { return deleted.load(); }, 10s));
  watcher.join();
  EXPECT_EQ(widget("GET", "w").status, 404);
}

TEST(CustomResourcesPython, TheOfficialClientsCustomObjectsApi) {
  test::ApiNode node;
  test::HttpClient admin{node.port(), node.ca_file(), node.token()};
  ASSERT_EQ(admin.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", kWidgetCrd, "application/yaml").status, 201);
  auto result = test::run_command({"/usr/bin/python3", std::string(SKIFF_TEST_E2E_DIR) + "/crd_client.py", node.kubeconfig()}, {}, 60s);
  EXPECT_EQ(result.exit_code, 0) << result.both();
  EXPECT_NE(result.out.find("created: w-py 2"), std::string::npos) << result.both();
  EXPECT_NE(result.out.find("listed: ['w-py']"), std::string::npos) << result.both();
  EXPECT_NE(result.out.find("patched: 7"), std::string::npos) << result.both();
  EXPECT_NE(result.out.find("refused: 422"), std::string::npos) << result.both();
}

}  // namespace
