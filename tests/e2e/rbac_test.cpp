// RBAC end to end on one all-in-one node whose token file has the admin and "alice" (no
// groups): alice may only discover (403 with Kubernetes' words otherwise), `kubectl auth can-i`
// follows a RoleBinding to `view` within a deadline, `can-i --list` shows her rules, a binding
// beyond her rights is refused as an escalation, the admin may do everything — with kubectl
// 1.20, the machine's, 1.27 and the official Python client; the reviews over HTTP.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "api_node.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "kubectl_versions.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

constexpr const char* kAdminToken = "rbacAdminToken0123456789abcdefghijklmnopqrstuvwx";
constexpr const char* kAliceToken = "rbacAliceToken0123456789abcdefghijklmnopqrstuvwx";

// The token file (admin first: its token goes into the node's kubeconfig), as apiserver config.
std::string tokens_config(const test::TempDir& dir) {
  std::ofstream(dir.file("tokens.csv")) << kAdminToken << ",admin,admin-uid,\"system:masters\"\n"
                                        << kAliceToken << ",alice,alice-uid\n";
  return "      tokens_file: " + dir.file("tokens.csv") + "\n";
}

class RbacNode {
 public:
  RbacNode() : node_(tokens_config(dir_)) {
    std::ifstream in(node_.kubeconfig());
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream(dir_.file("alice.kubeconfig")) << std::regex_replace(text.str(), std::regex(kAdminToken), kAliceToken);
  }
  test::ApiNode& node() { return node_; }
  std::string log() { return node_.node().output(); }
  std::string alice_kubeconfig() const { return dir_.file("alice.kubeconfig"); }
  test::HttpClient alice() { return {node_.port(), node_.ca_file(), kAliceToken}; }
  test::HttpClient admin() { return {node_.port(), node_.ca_file(), node_.token()}; }
  test::CommandResult as_alice(const std::string& binary, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {binary, "--cache-dir", cache_.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_command(argv, {"KUBECONFIG=" + alice_kubeconfig(), "HOME=" + cache_.path()}, 60s);
  }

 private:
  test::TempDir dir_;
  test::TempDir cache_;
  test::ApiNode node_;
};

const std::string kListPods =
    "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"";

TEST(RbacHttp, AliceMayOnlyDiscoverAndIsToldWhyNot) {
  RbacNode rbac;
  auto alice = rbac.alice();
  for (const char* path : {"/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/healthz"})
    EXPECT_EQ(alice.request("GET", path).status, 200) << path;
  auto pods = alice.request("GET", "/api/v1/namespaces/default/pods");
  EXPECT_EQ(pods.status, 403) << pods.body;
  EXPECT_NE(pods.body.find("\"message\":\"" + std::regex_replace(kListPods, std::regex("\""), "\\\"") + "\""),
            std::string::npos)
      << pods.body;
  EXPECT_NE(pods.body.find("\"reason\":\"Forbidden\""), std::string::npos) << pods.body;
  EXPECT_NE(pods.body.find("\"details\":{\"kind\":\"pods\"}"), std::string::npos) << pods.body;
  auto one = alice.request("GET", "/api/v1/namespaces/default/pods/x");
  EXPECT_NE(one.body.find(R"(pods \"x\" is forbidden: User \"alice\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\")"),
            std::string::npos)
      << one.body;
  EXPECT_NE(one.body.find(R"("details":{"name":"x","kind":"pods"})"), std::string::npos) << one.body;
  auto nodes = alice.request("GET", "/api/v1/nodes");
  EXPECT_NE(nodes.body.find(R"(cannot list resource \"nodes\" in API group \"\" at the cluster scope)"), std::string::npos)
      << nodes.body;
  auto deploy = alice.request("POST", "/apis/apps/v1/namespaces/default/deployments", "{}");
  EXPECT_NE(deploy.body.find(R"(deployments.apps is forbidden: User \"alice\" cannot create resource \"deployments\" in API group \"apps\")"),
            std::string::npos)
      << deploy.body;
  auto metrics = alice.request("GET", "/metrics");
  EXPECT_EQ(metrics.status, 403);
  EXPECT_NE(metrics.body.find(R"(forbidden: User \"alice\" cannot get path \"/metrics\")"), std::string::npos) << metrics.body;
  EXPECT_EQ(rbac.admin().request("GET", "/metrics").status, 200);
  test::HttpClient anonymous{rbac.node().port(), rbac.node().ca_file(), ""};
  EXPECT_EQ(anonymous.request("GET", "/healthz").status, 200) << "public info needs no token";
  EXPECT_EQ(anonymous.request("GET", "/api").status, 401);
}

TEST(RbacHttp, SubjectAccessReviewsAnswerFromRbac) {
  RbacNode rbac;
  auto admin = rbac.admin();
  std::string review = R"({"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"alice",)"
                       R"("groups":["system:authenticated"],"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}}})";
  auto before = admin.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review);
  EXPECT_EQ(before.status, 201) << before.body << rbac.log();
  EXPECT_NE(before.body.find("\"allowed\":false"), std::string::npos) << before.body;
  EXPECT_EQ(rbac.alice().request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review).status, 403)
      << "alice may not create subjectaccessreviews";
  auto bound = rbac.node().kubectl("/usr/bin/kubectl", {"create", "rolebinding", "alice-view", "--clusterrole=view",
                                                       "--user=alice", "-n", "default"});
  ASSERT_EQ(bound.exit_code, 0) << bound.both();
  EXPECT_TRUE(test::wait_until([&] {
    return admin.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review).body.find("\"allowed\":true") !=
           std::string::npos;
  }, 5s));
  auto allowed = admin.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review);
  EXPECT_NE(allowed.body.find(R"(RBAC: allowed by RoleBinding \"alice-view/default\" of ClusterRole \"view\" to User \"alice\")"),
            std::string::npos)
      << allowed.body;
  std::string local = R"({"apiVersion":"authorization.k8s.io/v1","kind":"LocalSubjectAccessReview","spec":{"user":"alice",)"
                      R"("resourceAttributes":{"verb":"list","resource":"pods"}}})";
  auto in_default = admin.request("POST", "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews", local);
  EXPECT_NE(in_default.body.find("\"allowed\":true"), std::string::npos) << in_default.body;
  auto elsewhere = admin.request("POST", "/apis/authorization.k8s.io/v1/namespaces/kube-system/localsubjectaccessreviews", local);
  EXPECT_NE(elsewhere.body.find("\"allowed\":false"), std::string::npos) << elsewhere.body;
  auto nobody = admin.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                              R"({"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}})");
  EXPECT_EQ(nobody.status, 422) << nobody.body;
  EXPECT_NE(nobody.body.find("at least one of user or group must be specified"), std::string::npos) << nobody.body;
  EXPECT_NE(admin.request("GET", "/apis/authorization.k8s.io/v1").body.find("subjectaccessreviews"), std::string::npos);
}

TEST(RbacHttp, DefaultRolesComeBackAndAggregate) {
  RbacNode rbac;
  auto admin = rbac.admin();
  auto view = admin.request("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view");
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_NE(view.body.find("rbac.authorization.k8s.io/aggregate-to-view"), std::string::npos) << view.body;
  // The aggregation controller fills edit from system:aggregate-to-edit and view.
  EXPECT_TRUE(test::wait_until([&] {
    return admin.request("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/edit").body.find("\"deployments\"") !=
           std::string::npos;
  }, 5s));
  // A new ClusterRole labelled aggregate-to-view joins view's rules.
  auto created = admin.request("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                               R"({"metadata":{"name":"crontabs-view","labels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"}},)"
                               R"("rules":[{"apiGroups":["stable.example.com"],"resources":["crontabs"],"verbs":["get"]}]})");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(test::wait_until([&] {
    return admin.request("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view").body.find("crontabs") !=
           std::string::npos;
  }, 5s));
  auto bad = admin.request("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
                           R"({"metadata":{"name":"b"},"roleRef":{"kind":"ClusterRole","name":"view"},"subjects":[{"kind":"Robot","name":"r"}]})");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find(R"(subjects[0].kind: Unsupported value: \"Robot\")"), std::string::npos) << bad.body;
}

class RbacKubectl : public ::testing::TestWithParam<test::Kubectl> {
 protected:
  void SetUp() override { SKIFF_REQUIRE_KUBECTL(GetParam()); }
  test::CommandResult admin(std::vector<std::string> args) { return rbac.node().kubectl(GetParam().binary, args, "", 60s); }
  test::CommandResult alice(std::vector<std::string> args) { return rbac.as_alice(GetParam().binary, args); }
  std::string can_i(const std::string& verb, const std::string& resource) {
    return alice({"auth", "can-i", verb, resource, "-n", "default"}).out;
  }

  RbacNode rbac;
};

TEST_P(RbacKubectl, ForbiddenUntilBoundToViewThenOnlyWhatViewAllows) {
  auto refused = alice({"get", "pods"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("Error from server (Forbidden): " + kListPods), std::string::npos) << refused.both();
  EXPECT_EQ(can_i("list", "pods"), "no\n");
  EXPECT_EQ(can_i("create", "selfsubjectaccessreviews.authorization.k8s.io"), "yes\n");

  auto bound = admin({"create", "rolebinding", "alice-view", "--clusterrole=view", "--user=alice", "-n", "default"});
  ASSERT_EQ(bound.exit_code, 0) << bound.both();
  EXPECT_TRUE(test::wait_until([&] { return can_i("list", "pods") == "yes\n"; }, 10s, 100ms));
  EXPECT_EQ(can_i("watch", "deployments.apps"), "yes\n");
  EXPECT_EQ(can_i("create", "pods"), "no\n");
  EXPECT_EQ(can_i("get", "secrets"), "no\n");
  EXPECT_EQ(alice({"auth", "can-i", "list", "pods", "-n", "kube-system"}).out, "no\n");

  auto allowed = alice({"get", "pods", "-n", "default"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.both();
  auto secrets = alice({"get", "secrets", "-n", "default"});
  EXPECT_NE(secrets.err.find("secrets is forbidden: User \"alice\" cannot list resource \"secrets\""), std::string::npos)
      << secrets.both();

  auto list = alice({"auth", "can-i", "--list", "-n", "default"});
  EXPECT_EQ(list.exit_code, 0) << list.both();
  EXPECT_TRUE(std::regex_search(list.out, std::regex(R"(\npods\s+\[\]\s+\[\]\s+\[get list watch\])"))) << list.out;
  EXPECT_TRUE(std::regex_search(list.out, std::regex(R"(\[/api/\*\]\s+\[\]\s+\[get\])"))) << list.out;
  EXPECT_EQ(list.out.find("secrets"), std::string::npos) << list.out;
}

TEST_P(RbacKubectl, ABindingBeyondHerRightsIsAnEscalation) {
  ASSERT_EQ(admin({"create", "rolebinding", "alice-view", "--clusterrole=view", "--user=alice", "-n", "default"}).exit_code, 0);
  EXPECT_TRUE(test::wait_until([&] { return can_i("list", "pods") == "yes\n"; }, 10s, 100ms));
  auto only_view = alice({"create", "rolebinding", "self-edit", "--clusterrole=edit", "--user=alice", "-n", "default"});
  EXPECT_NE(only_view.exit_code, 0);
  EXPECT_NE(only_view.err.find("rolebindings.rbac.authorization.k8s.io is forbidden: User \"alice\" cannot create resource "
                               "\"rolebindings\" in API group \"rbac.authorization.k8s.io\" in the namespace \"default\""),
            std::string::npos)
      << only_view.both();

  // With the right to create bindings, still not to a role above her own.
  auto creator = admin({"create", "role", "binder", "--verb=create", "--resource=rolebindings.rbac.authorization.k8s.io",
                        "-n", "default"});
  ASSERT_EQ(creator.exit_code, 0) << creator.both();
  ASSERT_EQ(admin({"create", "rolebinding", "alice-binder", "--role=binder", "--user=alice", "-n", "default"}).exit_code, 0);
  EXPECT_TRUE(test::wait_until([&] { return can_i("create", "rolebindings.rbac.authorization.k8s.io") == "yes\n"; }, 10s, 100ms));
  auto escalation = alice({"create", "rolebinding", "self-edit", "--clusterrole=edit", "--user=alice", "-n", "default"});
  EXPECT_NE(escalation.exit_code, 0);
  EXPECT_NE(escalation.err.find("rolebindings.rbac.authorization.k8s.io \"self-edit\" is forbidden: user \"alice\" "
                                "(groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:"),
            std::string::npos)
      << escalation.both();
  auto same = alice({"create", "rolebinding", "bob-view", "--clusterrole=view", "--user=bob", "-n", "default"});
  EXPECT_EQ(same.exit_code, 0) << "what she holds she may pass on: " << same.both();
}

TEST_P(RbacKubectl, TheAdminCreatesAndListsTheFourKinds) {
  for (std::vector<std::string> args : {std::vector<std::string>{"create", "role", "pod-reader", "--verb=get,list",
                                                                  "--resource=pods", "-n", "default"},
                                        {"create", "clusterrole", "node-reader", "--verb=get", "--resource=nodes"},
                                        {"create", "rolebinding", "read-pods", "--role=pod-reader", "--user=alice",
                                         "--group=devs", "--serviceaccount=default:ci", "-n", "default"},
                                        {"create", "clusterrolebinding", "read-nodes", "--clusterrole=node-reader",
                                         "--user=alice"}}) {
    auto r = admin(args);
    EXPECT_EQ(r.exit_code, 0) << args[1] << ": " << r.both();
  }
  auto roles = admin({"get", "roles", "-n", "default"});
  EXPECT_TRUE(std::regex_search(roles.out, std::regex(R"(NAME\s+CREATED AT\npod-reader\s+\d{4}-\d\d-\d\dT)"))) << roles.both();
  auto cluster_roles = admin({"get", "clusterroles"});
  for (const char* name : {"cluster-admin", "admin", "edit", "view", "system:discovery", "node-reader"})
    EXPECT_TRUE(std::regex_search(cluster_roles.out, std::regex(std::string("\n") + name + R"(\s+\d{4}-)"))) << name << cluster_roles.out;
  auto bindings = admin({"get", "rolebindings", "-n", "default", "-o", "wide"});
  EXPECT_TRUE(std::regex_search(bindings.out, std::regex(R"(NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS)"))) << bindings.out;
  EXPECT_TRUE(std::regex_search(bindings.out, std::regex(R"(read-pods\s+Role/pod-reader\s+\S+\s+alice\s+devs\s+default/ci)")))
      << bindings.out;
  auto cluster_bindings = admin({"get", "clusterrolebindings"});
  EXPECT_TRUE(std::regex_search(cluster_bindings.out, std::regex(R"(cluster-admin\s+ClusterRole/cluster-admin)")))
      << cluster_bindings.out;
  auto everything = admin({"auth", "can-i", "delete", "nodes"});
  EXPECT_EQ(everything.out, "yes\n") << everything.both();
  auto changed = admin({"patch", "rolebinding", "read-pods", "-n", "default", "--type=merge", "-p",
                        R"({"roleRef":{"kind":"ClusterRole","name":"view"}})"});
  EXPECT_NE(changed.err.find("cannot change roleRef"), std::string::npos) << changed.both();
  EXPECT_TRUE(test::wait_until([&] { return alice({"auth", "can-i", "get", "nodes"}).out == "yes\n"; }, 10s, 100ms))
      << "the ClusterRoleBinding applies";
}

INSTANTIATE_TEST_SUITE_P(Clients, RbacKubectl, test::all_kubectls(), test::kubectl_name);

TEST(RbacPython, ForbiddenThenAllowed) {
  RbacNode rbac;
  auto bound = rbac.node().kubectl("/usr/bin/kubectl", {"create", "rolebinding", "alice-view", "--clusterrole=view",
                                                       "--user=alice", "-n", "default"});
  ASSERT_EQ(bound.exit_code, 0) << bound.both();
  std::string script =
      "import sys\nfrom kubernetes import client, config\nfrom kubernetes.client.rest import ApiException\n"
      "config.load_kube_config(sys.argv[1])\nv1 = client.CoreV1Api()\n"
      "try:\n  v1.list_namespaced_secret('default')\n  print('secrets: allowed')\n"
      "except ApiException as e:\n  print('secrets:', e.status, e.reason)\n"
      "print('pods:', len(v1.list_namespaced_pod('default').items))\n";
  EXPECT_TRUE(test::wait_until([&] {
    auto r = test::run_command({"/usr/bin/python3", "-c", script, rbac.alice_kubeconfig()});
    return r.out == "secrets: 403 Forbidden\npods: 0\n";
  }, 15s, 200ms));
  auto r = test::run_command({"/usr/bin/python3", "-c", script, rbac.alice_kubeconfig()});
  EXPECT_EQ(r.out, "secrets: 403 Forbidden\npods: 0\n") << r.both();
}

}  // namespace
