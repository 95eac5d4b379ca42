// Server-side apply with real clients against one all-in-one node (store and apiserver):
// two managers on a Deployment (409 naming fields and managers, --force-conflicts moves
// ownership, the same value is shared), fields removed when their applier stops sending
// them, the migration from client-side apply, managedFields after create/edit/scale, the
// status subresource (kubectl --subresource=status and HTTP), dry run, and the Python
// client's apply patch.
#include <gtest/gtest.h>

#include <regex>

#include <boost/json.hpp>

#include "api_node.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "kubectl_versions.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

// A Deployment as users write it; `extra` goes into the container (env …), `labels` into metadata.
std::string deployment(int replicas, const std::string& image = "nginx:1", const std::string& extra = "",
                       const std::string& labels = "") {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n" +
         (labels.empty() ? std::string() : "  labels:\n" + labels) +
         "spec:\n  replicas: " + std::to_string(replicas) +
         "\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n"
         "    spec:\n      containers:\n      - name: nginx\n        image: " + image + "\n" + extra;
}

// The managedFields entry of `manager` (and operation), null when there is none.
json::value entry_of(const json::value& object, const std::string& manager, const std::string& operation = "") {
  const auto* managed = object.at("metadata").as_object().if_contains("managedFields");
  if (!managed) return nullptr;
  for (const auto& e : managed->as_array())
    if (e.at("manager") == manager.c_str() && (operation.empty() || e.at("operation") == operation.c_str())) return e;
  return nullptr;
}

// Whether `entry`'s FieldsV1 has the path (f:spec, f:replicas …).
bool owns(const json::value& entry, const std::vector<std::string>& path) {
  if (entry.is_null()) return false;
  const json::value* at = &entry.at("fieldsV1");
  for (const auto& element : path) {
    const auto* next = at->is_object() ? at->as_object().if_contains(element) : nullptr;
    if (!next) return false;
    at = next;
  }
  return true;
}

const std::vector<std::string> kReplicas = {"f:spec", "f:replicas"};

class ServerSideApply : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override { SKIFF_REQUIRE_KUBECTL(GetParam()); }
  test::CommandResult kubectl(std::vector<std::string> args, const std::string& stdin_text = "") {
    return node.kubectl(GetParam().binary, args, stdin_text, 60s);
  }
  test::CommandResult apply(const std::string& manifest, std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"apply", "--server-side", "-f", "-"};
    args.insert(args.end(), flags.begin(), flags.end());
    return kubectl(args, manifest);
  }
  json::value get(const std::string& what = "deployment/web") {
    // kubectl 1.21+ hides managedFields unless asked; 1.20 always shows them.
    std::vector<std::string> args = {"get", what, "-o", "json"};
    if (GetParam().name != "kubectl_1_20") args.push_back("--show-managed-fields");
    auto r = kubectl(args);
    EXPECT_EQ(r.exit_code, 0) << r.both();
    return r.exit_code == 0 ? json::parse(r.out) : json::value(json::object{{"metadata", json::object{}}});
  }

  test::ApiNode node;
};

TEST_P(ServerSideApply, TwoManagersConflictForceMovesOwnershipTheSameValueIsShared) {
  auto first = apply(deployment(2), {"--field-manager=alice"});
  ASSERT_EQ(first.exit_code, 0) << first.both();
  EXPECT_TRUE(owns(entry_of(get(), "alice", "Apply"), kReplicas));

  auto refused = apply(deployment(3, "nginx:2"), {"--field-manager=bob"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("Apply failed with 2 conflicts: conflicts with \"alice\":"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("- .spec.replicas"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("- .spec.template.spec.containers[name=\"nginx\"].image"), std::string::npos) << refused.err;
  refused = apply(deployment(3), {"--field-manager=bob"});
  EXPECT_NE(refused.err.find("Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas"), std::string::npos)
      << refused.err;
  EXPECT_EQ(get().at("spec").at("replicas"), 2);

  auto shared = apply(deployment(2), {"--field-manager=bob"});
  ASSERT_EQ(shared.exit_code, 0) << shared.both();
  json::value object = get();
  EXPECT_TRUE(owns(entry_of(object, "alice"), kReplicas));
  EXPECT_TRUE(owns(entry_of(object, "bob"), kReplicas));

  auto forced = apply(deployment(4), {"--field-manager=bob", "--force-conflicts"});
  ASSERT_EQ(forced.exit_code, 0) << forced.both();
  object = get();
  EXPECT_EQ(object.at("spec").at("replicas"), 4);
  EXPECT_FALSE(owns(entry_of(object, "alice"), kReplicas));
  EXPECT_TRUE(owns(entry_of(object, "bob"), kReplicas));
  // alice may now set it again only with force.
  EXPECT_NE(apply(deployment(2), {"--field-manager=alice"}).err.find("conflict with \"bob\""), std::string::npos);
}

TEST_P(ServerSideApply, FieldsAManagerStopsSendingAreRemoved) {
  std::string env = "        env:\n        - name: A\n          value: \"1\"\n        - name: B\n          value: \"2\"\n";
  auto first = apply(deployment(1, "nginx:1", env, "    team: blue\n    tier: web\n"), {"--field-manager=alice"});
  ASSERT_EQ(first.exit_code, 0) << first.both();
  json::value object = get();
  EXPECT_EQ(object.at("metadata").at("labels").as_object().size(), 2u);
  EXPECT_EQ(object.at("spec").at("template").at("spec").at("containers").at(0).at("env").as_array().size(), 2u);

  std::string less_env = "        env:\n        - name: A\n          value: \"1\"\n";
  auto second = apply(deployment(1, "nginx:1", less_env, "    team: blue\n"), {"--field-manager=alice"});
  ASSERT_EQ(second.exit_code, 0) << second.both();
  object = get();
  EXPECT_FALSE(object.at("metadata").at("labels").as_object().contains("tier")) << object.at("metadata");
  const auto& envs = object.at("spec").at("template").at("spec").at("containers").at(0).at("env").as_array();
  ASSERT_EQ(envs.size(), 1u);
  EXPECT_EQ(envs[0].at("name"), "A");

  // A label another manager also applied survives alice dropping it.
  ASSERT_EQ(apply("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    team: blue\n",
                  {"--field-manager=bob"}).exit_code, 0);
  ASSERT_EQ(apply(deployment(1, "nginx:1", less_env), {"--field-manager=alice"}).exit_code, 0);
  EXPECT_EQ(get().at("metadata").at("labels").at("team"), "blue");
}

TEST_P(ServerSideApply, MigratesFromClientSideApplyAndClientSideApplyStillWorksAfter) {
  auto client_side = kubectl({"apply", "-f", "-"}, deployment(2));
  ASSERT_EQ(client_side.exit_code, 0) << client_side.both();
  json::value object = get();
  json::value csa = entry_of(object, "kubectl-client-side-apply", "Update");
  ASSERT_FALSE(csa.is_null()) << object.at("metadata");
  EXPECT_TRUE(owns(csa, kReplicas));
  EXPECT_TRUE(object.at("metadata").at("annotations").as_object().contains(
      "kubectl.kubernetes.io/last-applied-configuration"));

  // The first server-side apply takes the client-side fields over without conflicts.
  auto server_side = apply(deployment(3, "nginx:2"));
  ASSERT_EQ(server_side.exit_code, 0) << server_side.both();
  object = get();
  EXPECT_EQ(object.at("spec").at("replicas"), 3);
  EXPECT_TRUE(owns(entry_of(object, "kubectl", "Apply"), kReplicas)) << object.at("metadata");
  EXPECT_FALSE(owns(entry_of(object, "kubectl-client-side-apply"), kReplicas));

  // And client-side apply keeps working afterwards.
  auto again = kubectl({"apply", "-f", "-"}, deployment(5, "nginx:3"));
  ASSERT_EQ(again.exit_code, 0) << again.both();
  object = get();
  EXPECT_EQ(object.at("spec").at("replicas"), 5);
  EXPECT_EQ(object.at("spec").at("template").at("spec").at("containers").at(0).at("image"), "nginx:3");
}

TEST_P(ServerSideApply, ManagedFieldsAfterCreateEditAndScale) {
  auto created = kubectl({"create", "deployment", "web", "--image=nginx"});
  ASSERT_EQ(created.exit_code, 0) << created.both();
  json::value object = get();
  json::value create = entry_of(object, "kubectl-create", "Update");
  ASSERT_FALSE(create.is_null()) << object.at("metadata");
  EXPECT_EQ(create.at("apiVersion"), "apps/v1");
  EXPECT_EQ(create.at("fieldsType"), "FieldsV1");
  EXPECT_TRUE(std::regex_match(std::string(create.at("time").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_TRUE(owns(create, kReplicas));
  EXPECT_TRUE(owns(create, {"f:spec", "f:template", "f:spec", "f:containers", R"(k:{"name":"nginx"})", "f:image"}));
  EXPECT_FALSE(owns(create, {"f:status"})) << "status is the controllers'";

  auto scaled = kubectl({"scale", "deployment/web", "--replicas=3"});
  ASSERT_EQ(scaled.exit_code, 0) << scaled.both();
  object = get();
  EXPECT_FALSE(owns(entry_of(object, "kubectl-create"), kReplicas));
  bool scale_owner = false;
  for (const auto& e : object.at("metadata").at("managedFields").as_array())
    scale_owner |= e.as_object().contains("subresource") && e.at("subresource") == "scale" && owns(e, kReplicas);
  EXPECT_TRUE(scale_owner) << object.at("metadata");

  // kubectl edit with an editor that changes the image.
  test::TempDir home;
  auto edited = test::run_command({GetParam().binary, "--cache-dir", home.path(), "edit", "deployment/web"},
                                  {"KUBECONFIG=" + node.kubeconfig(), "HOME=" + home.path(),
                                   "EDITOR=sed -i s/image:\\ nginx$/image:\\ nginx:edited/"},
                                  60s);
  ASSERT_EQ(edited.exit_code, 0) << edited.both();
  object = get();
  EXPECT_EQ(object.at("spec").at("template").at("spec").at("containers").at(0).at("image"), "nginx:edited");
  json::value edit = entry_of(object, "kubectl-edit", "Update");
  EXPECT_TRUE(owns(edit, {"f:spec", "f:template", "f:spec", "f:containers", R"(k:{"name":"nginx"})", "f:image"}))
      << object.at("metadata");
  EXPECT_FALSE(owns(entry_of(object, "kubectl-create"),
                    {"f:spec", "f:template", "f:spec", "f:containers", R"(k:{"name":"nginx"})", "f:image"}));
}

TEST_P(ServerSideApply, DryRunChangesNothing) {
  if (GetParam().name == "kubectl_1_20")
    GTEST_SKIP() << "kubectl 1.20 asks /openapi/v2 whether a kind supports dry run, which Skiff's document does not say";
  ASSERT_EQ(apply(deployment(2)).exit_code, 0);
  auto dry = apply(deployment(7), {"--dry-run=server"});
  ASSERT_EQ(dry.exit_code, 0) << dry.both();
  EXPECT_EQ(get().at("spec").at("replicas"), 2);
}

TEST_P(ServerSideApply, AppliesTheStatusSubresource) {
  if (GetParam().name != "kubectl_machine") GTEST_SKIP() << "kubectl apply --subresource came after 1.27";
  ASSERT_EQ(apply(deployment(2)).exit_code, 0);
  auto r = apply("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nstatus:\n  replicas: 2\n  readyReplicas: 1\n",
                 {"--subresource=status", "--field-manager=ctrl"});
  ASSERT_EQ(r.exit_code, 0) << r.both();
  json::value object = get();
  EXPECT_EQ(object.at("status").at("readyReplicas"), 1);
  json::value ctrl = entry_of(object, "ctrl", "Apply");
  ASSERT_FALSE(ctrl.is_null()) << object.at("metadata");
  EXPECT_EQ(ctrl.at("subresource"), "status");
  EXPECT_TRUE(owns(ctrl, {"f:status", "f:readyReplicas"}));
  EXPECT_FALSE(owns(entry_of(object, "kubectl", "Apply"), {"f:status"}));
}

INSTANTIATE_TEST_SUITE_P(Clients, ServerSideApply, test::all_kubectls(), test::kubectl_name);

TEST(ServerSideApplyShow, ManagedFieldsShowAsKubernetesShowsThem) {
  test::ApiNode node;
  auto created = node.kubectl("/usr/bin/kubectl", {"create", "configmap", "cfg", "--from-literal=a=1"});
  ASSERT_EQ(created.exit_code, 0) << created.both();
  auto hidden = node.kubectl("/usr/bin/kubectl", {"get", "configmap/cfg", "-o", "yaml"});
  EXPECT_EQ(hidden.out.find("managedFields"), std::string::npos) << hidden.out;
  auto shown = node.kubectl("/usr/bin/kubectl", {"get", "configmap/cfg", "-o", "yaml", "--show-managed-fields"});
  EXPECT_NE(shown.out.find("  managedFields:\n  - apiVersion: v1\n    fieldsType: FieldsV1\n    fieldsV1:\n"
                           "      f:data:\n        .: {}\n        f:a: {}\n    manager: kubectl-create\n"
                           "    operation: Update\n    time: \""),
            std::string::npos)
      << shown.out;
}

TEST(ServerSideApplyHttp, StatusSubresourceConflictCausesAndApplyCreates) {
  test::ApiNode node;
  test::HttpClient http{node.port(), node.ca_file(), node.token()};
  const std::string path = "/apis/apps/v1/namespaces/default/deployments/web";
  std::string config = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2,)"
                       R"("selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},)"
                       R"("spec":{"containers":[{"name":"c","image":"nginx"}]}}}})";
  EXPECT_EQ(http.request("PATCH", path, config, "application/apply-patch+yaml").status, 400) << "no fieldManager";
  auto created = http.request("PATCH", path + "?fieldManager=one", config, "application/apply-patch+yaml");
  ASSERT_EQ(created.status, 201) << created.body;

  auto conflict = http.request("PATCH", path + "?fieldManager=two",
                               R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}})",
                               "application/apply-patch+yaml");
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  json::value status = json::parse(conflict.body);
  EXPECT_EQ(status.at("reason"), "Conflict");
  EXPECT_EQ(status.at("message"), "Apply failed with 1 conflict: conflict with \"one\": .spec.replicas");
  EXPECT_EQ(status.at("details").at("causes").at(0).at("reason"), "FieldManagerConflict");
  EXPECT_EQ(status.at("details").at("causes").at(0).at("field"), ".spec.replicas");

  auto on_status = http.request("PATCH", path + "/status?fieldManager=ctrl",
                                R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},)"
                                R"("status":{"replicas":2,"readyReplicas":1}})",
                                "application/apply-patch+yaml");
  ASSERT_EQ(on_status.status, 200) << on_status.body;
  json::value object = json::parse(on_status.body);
  EXPECT_EQ(object.at("status").at("readyReplicas"), 1);
  json::value ctrl = entry_of(object, "ctrl", "Apply");
  ASSERT_FALSE(ctrl.is_null()) << on_status.body;
  EXPECT_EQ(ctrl.at("subresource"), "status");
  EXPECT_EQ(json::serialize(ctrl.at("fieldsV1")), R"({"f:status":{"f:readyReplicas":{},"f:replicas":{}}})");
}

TEST(ServerSideApplyPython, ApplyPatchFromThePythonClient) {
  test::ApiNode node;
  test::TempDir dir;
  std::string script = dir.file("apply.py");
  FILE* f = std::fopen(script.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(R"PY(import json
import sys
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
core = client.CoreV1Api()
body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py"}, "data": {"a": "1", "b": "2"}}
api = client.ApiClient()


def apply(body):
    # This client's generated patch methods cannot choose the content type: the call underneath them.
    return api.call_api("/api/v1/namespaces/default/configmaps/py", "PATCH", query_params=[("fieldManager", "py")],
                        header_params={"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"},
                        body=json.dumps(body), response_type="V1ConfigMap", auth_settings=["BearerToken"],
                        _return_http_data_only=True)


apply(body)
body["data"] = {"a": "1"}
cm = apply(body)
print("data:", sorted(cm.data.items()))
print("managers:", [(m.manager, m.operation) for m in cm.metadata.managed_fields])
)PY", f);
  std::fclose(f);
  auto r = test::run_command({"/usr/bin/python3", script, node.kubeconfig()});
  ASSERT_EQ(r.exit_code, 0) << r.both();
  EXPECT_NE(r.out.find("data: [('a', '1')]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("managers: [('py', 'Apply')]"), std::string::npos) << r.out;
}

}  // namespace
