// RBAC without a server: rule matching, subjects, the authorizer's decisions and Kubernetes'
// Forbidden texts, request attributes, escalation checks, aggregation over the default roles,
// validation and the kubectl tables of the four kinds.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "authorizer.hpp"
#include "defaults.hpp"
#include "rbac_authorizer.hpp"
#include "rbac_bootstrap.hpp"
#include "rbac_cache.hpp"
#include "rbac_escalation.hpp"
#include "skiff/sdk/resources.hpp"
#include "tables.hpp"
#include "validation.hpp"

namespace {

using namespace skiff;
using namespace skiff::apiserver;
using Strings = std::vector<std::string>;
using boost::beast::http::verb;

rbac::PolicyRule rule(const Strings& verbs, const Strings& groups, const Strings& resources, const Strings& names = {}) {
  rbac::PolicyRule r;
  for (const auto& v : verbs) r.add_verbs(v);
  for (const auto& g : groups) r.add_api_groups(g);
  for (const auto& x : resources) r.add_resources(x);
  for (const auto& n : names) r.add_resource_names(n);
  return r;
}

rbac::PolicyRule url_rule(const Strings& verbs, const Strings& urls) {
  rbac::PolicyRule r;
  for (const auto& v : verbs) r.add_verbs(v);
  for (const auto& u : urls) r.add_non_resource_urls(u);
  return r;
}

AuthorizationAttributes ask(const std::string& verb, const std::string& group, const std::string& resource,
                            const std::string& ns = "", const std::string& name = "", const std::string& sub = "") {
  AuthorizationAttributes a;
  a.user = authenticated_user({"alice", "", {}});
  a.verb = verb;
  a.group = group;
  a.version = "v1";
  a.resource = resource;
  a.subresource = sub;
  a.namespace_ = ns;
  a.name = name;
  a.resource_request = true;
  return a;
}

AuthorizationAttributes ask_path(const std::string& verb, const std::string& path) {
  AuthorizationAttributes a;
  a.user = authenticated_user({"alice", "", {}});
  a.verb = verb;
  a.path = path;
  return a;
}

rbac::Subject subject(const std::string& kind, const std::string& name, const std::string& ns = "") {
  rbac::Subject s;
  s.set_kind(kind);
  s.set_name(name);
  s.set_namespace_(ns);
  if (kind != "ServiceAccount") s.set_api_group("rbac.authorization.k8s.io");
  return s;
}

rbac::ClusterRole cluster_role(const std::string& name, std::vector<rbac::PolicyRule> rules) {
  rbac::ClusterRole r;
  r.mutable_metadata()->set_name(name);
  for (auto& each : rules) *r.add_rules() = each;
  return r;
}

template <class Binding>
Binding binding(const std::string& name, const std::string& ns, const std::string& kind, const std::string& role,
                std::vector<rbac::Subject> subjects) {
  Binding b;
  b.mutable_metadata()->set_name(name);
  b.mutable_metadata()->set_namespace_(ns);
  b.mutable_role_ref()->set_api_group("rbac.authorization.k8s.io");
  b.mutable_role_ref()->set_kind(kind);
  b.mutable_role_ref()->set_name(role);
  for (auto& s : subjects) *b.add_subjects() = s;
  return b;
}

// The default roles with their aggregations filled, as the controller leaves them.
RbacPolicy defaults() {
  RbacPolicy policy;
  for (auto& r : default_cluster_roles()) policy.cluster_roles[r.metadata().name()] = r;
  for (auto& b : default_cluster_role_bindings()) policy.cluster_role_bindings.push_back(b);
  for (int pass = 0; pass < 3; ++pass)  // view → edit → admin
    for (auto& [name, role] : policy.cluster_roles)
      if (auto rules = aggregated_rules(policy, role)) {
        role.clear_rules();
        for (auto& r : *rules) *role.add_rules() = r;
      }
  return policy;
}

TEST(RbacRules, VerbsGroupsResourcesAndWildcards) {
  auto pods = rule({"get", "list"}, {""}, {"pods"});
  EXPECT_TRUE(rule_allows(pods, ask("get", "", "pods", "default", "x")));
  EXPECT_TRUE(rule_allows(pods, ask("list", "", "pods", "default")));
  EXPECT_FALSE(rule_allows(pods, ask("delete", "", "pods", "default", "x")));
  EXPECT_FALSE(rule_allows(pods, ask("get", "apps", "pods", "default", "x"))) << "another group";
  EXPECT_FALSE(rule_allows(pods, ask("get", "", "pods", "default", "x", "log"))) << "a subresource needs its own rule";
  EXPECT_TRUE(rule_allows(rule({"*"}, {"*"}, {"*"}), ask("deletecollection", "batch", "jobs", "ns")));
  EXPECT_TRUE(rule_allows(rule({"get"}, {""}, {"pods/log"}), ask("get", "", "pods", "default", "x", "log")));
  EXPECT_TRUE(rule_allows(rule({"update"}, {"apps"}, {"*/scale"}), ask("update", "apps", "deployments", "d", "web", "scale")));
  EXPECT_FALSE(rule_allows(rule({"update"}, {"apps"}, {"*/scale"}), ask("update", "apps", "deployments", "d", "web")));
}

TEST(RbacRules, ResourceNamesLimitToThoseNames) {
  auto named = rule({"get", "list"}, {""}, {"configmaps"}, {"settings"});
  EXPECT_TRUE(rule_allows(named, ask("get", "", "configmaps", "default", "settings")));
  EXPECT_FALSE(rule_allows(named, ask("get", "", "configmaps", "default", "other")));
  EXPECT_FALSE(rule_allows(named, ask("list", "", "configmaps", "default"))) << "a list names nothing";
}

TEST(RbacRules, NonResourceUrlsWithTrailingStar) {
  auto urls = url_rule({"get"}, {"/healthz", "/apis/*"});
  EXPECT_TRUE(rule_allows(urls, ask_path("get", "/healthz")));
  EXPECT_TRUE(rule_allows(urls, ask_path("get", "/apis/apps/v1")));
  EXPECT_FALSE(rule_allows(urls, ask_path("get", "/apis"))) << "the prefix is /apis/";
  EXPECT_FALSE(rule_allows(urls, ask_path("post", "/healthz")));
  EXPECT_FALSE(rule_allows(urls, ask_path("get", "/metrics")));
  EXPECT_TRUE(rule_allows(url_rule({"*"}, {"*"}), ask_path("delete", "/anything")));
  EXPECT_FALSE(rule_allows(rule({"*"}, {"*"}, {"*"}), ask_path("get", "/metrics"))) << "resource rules grant no paths";
}

TEST(RbacSubjects, UsersGroupsAndServiceAccounts) {
  UserInfo alice = authenticated_user({"alice", "", {"devs"}});
  EXPECT_TRUE(subject_matches(subject("User", "alice"), alice, ""));
  EXPECT_FALSE(subject_matches(subject("User", "bob"), alice, ""));
  EXPECT_TRUE(subject_matches(subject("Group", "devs"), alice, ""));
  EXPECT_TRUE(subject_matches(subject("Group", "system:authenticated"), alice, "")) << "every authenticated user";
  UserInfo robot = authenticated_user({"system:serviceaccount:ci:builder", "", {}});
  EXPECT_TRUE(subject_matches(subject("ServiceAccount", "builder", "ci"), robot, ""));
  EXPECT_TRUE(subject_matches(subject("ServiceAccount", "builder"), robot, "ci")) << "the binding's namespace";
  EXPECT_FALSE(subject_matches(subject("ServiceAccount", "builder"), robot, "default"));
  EXPECT_TRUE(subject_matches(subject("Group", "system:serviceaccounts"), robot, ""));
  EXPECT_TRUE(subject_matches(subject("Group", "system:serviceaccounts:ci"), robot, ""));
  EXPECT_FALSE(subject_matches(subject("Group", "system:serviceaccounts:default"), robot, ""));
}

TEST(RbacDecision, ClusterBindingsEverywhereRoleBindingsInTheirNamespace) {
  RbacPolicy policy;
  policy.cluster_roles["reader"] = cluster_role("reader", {rule({"get", "list"}, {""}, {"pods"})});
  policy.cluster_roles["lister"] = cluster_role("lister", {rule({"list"}, {""}, {"nodes"})});
  rbac::Role role;
  role.mutable_metadata()->set_name("cm");
  role.mutable_metadata()->set_namespace_("team");
  *role.add_rules() = rule({"create"}, {""}, {"configmaps"});
  policy.roles["team/cm"] = role;
  policy.cluster_role_bindings.push_back(
      binding<rbac::ClusterRoleBinding>("nodes", "", "ClusterRole", "lister", {subject("User", "alice")}));
  policy.role_bindings["team"].push_back(
      binding<rbac::RoleBinding>("read", "team", "ClusterRole", "reader", {subject("User", "alice")}));
  policy.role_bindings["team"].push_back(binding<rbac::RoleBinding>("cm", "team", "Role", "cm", {subject("Group", "system:authenticated")}));

  Decision nodes = rbac_decide(policy, ask("list", "", "nodes"));
  EXPECT_TRUE(nodes.allowed);
  EXPECT_EQ(nodes.reason, "RBAC: allowed by ClusterRoleBinding \"nodes\" of ClusterRole \"lister\" to User \"alice\"");
  Decision pods = rbac_decide(policy, ask("list", "", "pods", "team"));
  EXPECT_TRUE(pods.allowed);
  EXPECT_EQ(pods.reason, "RBAC: allowed by RoleBinding \"read/team\" of ClusterRole \"reader\" to User \"alice\"");
  EXPECT_FALSE(rbac_decide(policy, ask("list", "", "pods", "default")).allowed);
  EXPECT_FALSE(rbac_decide(policy, ask("list", "", "pods")).allowed) << "a RoleBinding grants nothing cluster-wide";
  EXPECT_TRUE(rbac_decide(policy, ask("create", "", "configmaps", "team")).allowed);
  EXPECT_EQ(rbac_decide(policy, ask("delete", "", "configmaps", "team", "x")).reason, "");
}

TEST(RbacDecision, ABindingOfAMissingRoleSaysSo) {
  RbacPolicy policy;
  policy.role_bindings["team"].push_back(binding<rbac::RoleBinding>("view", "team", "ClusterRole", "viewer", {subject("User", "alice")}));
  Decision d = rbac_decide(policy, ask("get", "", "pods", "team", "x"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "RBAC: clusterrole.rbac.authorization.k8s.io \"viewer\" not found");
}

TEST(RbacAuthorizer, MastersAlwaysAndTheSnapshotIsSwappedWhole) {
  RbacAuthorizer authorizer;
  auto admin = ask("delete", "", "nodes", "", "n1");
  admin.user = authenticated_user({"admin", "", {"system:masters"}});
  EXPECT_TRUE(authorizer.authorize(admin).allowed) << "no rule at all: system:masters still may";
  EXPECT_FALSE(authorizer.authorize(ask("get", "", "pods", "default", "x")).allowed);
  auto policy = std::make_shared<RbacPolicy>(defaults());
  policy->role_bindings["default"].push_back(
      binding<rbac::RoleBinding>("alice-view", "default", "ClusterRole", "view", {subject("User", "alice")}));
  authorizer.set_policy(policy);
  EXPECT_TRUE(authorizer.authorize(ask("get", "", "pods", "default", "x")).allowed);
}

TEST(RbacDefaults, DiscoveryForEveryoneViewEditAdminAggregated) {
  RbacAuthorizer authorizer;
  authorizer.set_policy(std::make_shared<RbacPolicy>(defaults()));
  for (const char* path : {"/api", "/api/v1", "/apis", "/apis/apps/v1", "/version", "/healthz", "/openapi/v2"})
    EXPECT_TRUE(authorizer.authorize(ask_path("get", path)).allowed) << path;
  EXPECT_FALSE(authorizer.authorize(ask_path("get", "/metrics")).allowed);
  EXPECT_TRUE(authorizer.authorize(ask("create", "authorization.k8s.io", "selfsubjectaccessreviews")).allowed);
  EXPECT_FALSE(authorizer.authorize(ask("list", "", "pods", "default")).allowed);
  auto anonymous = ask_path("get", "/healthz");
  anonymous.user = anonymous_user();
  EXPECT_TRUE(authorizer.authorize(anonymous).allowed) << "public info";
  anonymous.path = "/api";
  EXPECT_FALSE(authorizer.authorize(anonymous).allowed);

  auto policy = defaults();
  const auto& view = policy.cluster_roles.at("view");
  const auto& edit = policy.cluster_roles.at("edit");
  const auto& admin = policy.cluster_roles.at("admin");
  EXPECT_GT(view.rules_size(), 5);
  EXPECT_GT(edit.rules_size(), view.rules_size()) << "edit holds view's rules and its own";
  EXPECT_GT(admin.rules_size(), edit.rules_size());
  auto can = [&](const char* role, AuthorizationAttributes a) {
    RbacPolicy p = policy;
    p.role_bindings["ns"].push_back(binding<rbac::RoleBinding>("b", "ns", "ClusterRole", role, {subject("User", "alice")}));
    return rbac_decide(p, a).allowed;
  };
  EXPECT_TRUE(can("view", ask("watch", "apps", "deployments", "ns")));
  EXPECT_FALSE(can("view", ask("get", "", "secrets", "ns", "s")));
  EXPECT_FALSE(can("view", ask("create", "", "pods", "ns")));
  EXPECT_TRUE(can("edit", ask("create", "", "pods", "ns")));
  EXPECT_TRUE(can("edit", ask("get", "", "secrets", "ns", "s")));
  EXPECT_FALSE(can("edit", ask("create", "rbac.authorization.k8s.io", "rolebindings", "ns")));
  EXPECT_TRUE(can("admin", ask("create", "rbac.authorization.k8s.io", "rolebindings", "ns")));
}

TEST(RbacForbidden, KubernetesWords) {
  auto list = forbidden(ask("list", "", "pods", "default"), "");
  EXPECT_EQ(list.status().code, 403);
  EXPECT_EQ(list.status().reason, "Forbidden");
  EXPECT_EQ(list.status().message,
            "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
  EXPECT_EQ(list.details().kind(), "pods");
  auto get = forbidden(ask("get", "", "pods", "default", "x"), "");
  EXPECT_EQ(get.status().message,
            "pods \"x\" is forbidden: User \"alice\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\"");
  EXPECT_EQ(get.details().name(), "x");
  auto nodes = forbidden(ask("list", "", "nodes"), "");
  EXPECT_EQ(nodes.status().message,
            "nodes is forbidden: User \"alice\" cannot list resource \"nodes\" in API group \"\" at the cluster scope");
  auto scale = forbidden(ask("update", "apps", "deployments", "d", "web", "scale"), "");
  EXPECT_EQ(scale.status().message, "deployments.apps \"web\" is forbidden: User \"alice\" cannot update resource "
                                    "\"deployments/scale\" in API group \"apps\" in the namespace \"d\"");
  EXPECT_EQ(scale.details().group(), "apps");
  auto path = forbidden(ask_path("get", "/metrics"), "");
  EXPECT_EQ(path.status().message, "forbidden: User \"alice\" cannot get path \"/metrics\"");
  auto reason = forbidden(ask("get", "", "pods", "team", "x"), "RBAC: clusterrole.rbac.authorization.k8s.io \"v\" not found");
  EXPECT_NE(reason.status().message.find("in the namespace \"team\": RBAC: clusterrole"), std::string::npos)
      << reason.status().message;
}

TEST(RbacAttributes, KubernetesVerbsAndNames) {
  auto attributes = [](verb method, const std::string& path, std::vector<std::pair<std::string, std::string>> query = {}) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.query = std::move(query);
    return request_attributes(request, parse_request_info(request), {"alice", "", {}});
  };
  EXPECT_EQ(attributes(verb::get, "/api/v1/namespaces/default/pods", {{"watch", "true"}}).verb, "watch");
  EXPECT_EQ(attributes(verb::get, "/api/v1/namespaces/default/pods").verb, "list");
  EXPECT_EQ(attributes(verb::delete_, "/api/v1/namespaces/default/pods").verb, "deletecollection");
  EXPECT_EQ(attributes(verb::patch, "/apis/apps/v1/namespaces/d/deployments/web/scale").subresource, "scale");
  auto ns = attributes(verb::get, "/api/v1/namespaces/team");
  EXPECT_EQ(ns.namespace_, "team") << "a namespace is in itself";
  EXPECT_EQ(ns.name, "team");
  auto one = attributes(verb::get, "/api/v1/namespaces/default/pods", {{"fieldSelector", "metadata.name=web"}, {"watch", "1"}});
  EXPECT_EQ(one.name, "web");
  auto path = attributes(verb::get, "/metrics");
  EXPECT_FALSE(path.resource_request);
  EXPECT_EQ(path.verb, "get");
  EXPECT_EQ(path.path, "/metrics");
  EXPECT_FALSE(attributes(verb::get, "/apis/apps/v1").resource_request);
}

TEST(RbacEscalation, UncoveredRulesCompactedAsKubernetesPrintsThem) {
  std::vector<rbac::PolicyRule> owner = {rule({"get", "list"}, {""}, {"pods"}), url_rule({"get"}, {"/apis/*"}),
                                         rule({"update"}, {"apps"}, {"*/scale"})};
  PolicyRules wanted;
  *wanted.Add() = rule({"get", "create", "delete"}, {""}, {"pods"});
  *wanted.Add() = rule({"update"}, {"apps"}, {"deployments/scale", "deployments"});
  *wanted.Add() = url_rule({"get"}, {"/apis/apps", "/metrics"});
  std::vector<std::string> texts;
  for (const auto& r : uncovered_rules(owner, wanted)) texts.push_back(compact_rule(r));
  EXPECT_EQ(texts, (Strings{"{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"create\" \"delete\"]}",
                            "{APIGroups:[\"apps\"], Resources:[\"deployments\"], Verbs:[\"update\"]}",
                            "{NonResourceURLs:[\"/metrics\"], Verbs:[\"get\"]}"}));
  PolicyRules named;
  *named.Add() = rule({"get"}, {""}, {"configmaps"}, {"a"});
  EXPECT_EQ(uncovered_rules({rule({"get"}, {""}, {"configmaps"})}, named).size(), 0u);
  EXPECT_EQ(uncovered_rules({rule({"get"}, {""}, {"configmaps"}, {"b"})}, named).size(), 1u);
}

TEST(RbacEscalation, ABindingNeedsTheRolesRulesOrBind) {
  auto policy = std::make_shared<RbacPolicy>(defaults());
  policy->role_bindings["ns"].push_back(binding<rbac::RoleBinding>("v", "ns", "ClusterRole", "view", {subject("User", "alice")}));
  RbacAuthorizer authorizer;
  authorizer.set_policy(policy);
  UserInfo alice = authenticated_user({"alice", "", {}});
  auto to_edit = binding<rbac::RoleBinding>("mine", "ns", "ClusterRole", "edit", {subject("User", "alice")});
  try {
    check_no_escalation(authorizer, alice, to_edit);
    FAIL() << "alice gave herself edit";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status().code, 403);
    const std::string& m = e.status().message;
    EXPECT_EQ(m.rfind("rolebindings.rbac.authorization.k8s.io \"mine\" is forbidden: user \"alice\" "
                      "(groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{",
                      0),
              0u)
        << m;
    EXPECT_NE(m.find("Resources:[\"pods\"], Verbs:[\"create\""), std::string::npos) << m;
  }
  auto to_view = binding<rbac::RoleBinding>("again", "ns", "ClusterRole", "view", {subject("User", "bob")});
  EXPECT_NO_THROW(check_no_escalation(authorizer, alice, to_view)) << "view's rules she holds";
  EXPECT_THROW(check_no_escalation(authorizer, alice,
                                   binding<rbac::RoleBinding>("x", "other", "ClusterRole", "view", {subject("User", "bob")})),
               ApiError)
      << "not in a namespace where she holds them";
  auto binder = std::make_shared<RbacPolicy>(*policy);
  binder->cluster_roles["binder"] = cluster_role("binder", {rule({"bind"}, {"rbac.authorization.k8s.io"}, {"clusterroles"}, {"edit"})});
  binder->role_bindings["ns"].push_back(binding<rbac::RoleBinding>("b", "ns", "ClusterRole", "binder", {subject("User", "alice")}));
  authorizer.set_policy(binder);
  EXPECT_NO_THROW(check_no_escalation(authorizer, alice, to_edit)) << "bind on edit";
  EXPECT_NO_THROW(check_no_escalation(authorizer, {"admin", "", {"system:masters"}}, to_edit));
}

TEST(RbacEscalation, ARoleNeedsItsRulesOrEscalate) {
  auto policy = std::make_shared<RbacPolicy>(defaults());
  policy->role_bindings["ns"].push_back(binding<rbac::RoleBinding>("v", "ns", "ClusterRole", "view", {subject("User", "alice")}));
  RbacAuthorizer authorizer;
  authorizer.set_policy(policy);
  UserInfo alice = authenticated_user({"alice", "", {}});
  rbac::Role role;
  role.mutable_metadata()->set_name("r");
  role.mutable_metadata()->set_namespace_("ns");
  *role.add_rules() = rule({"get"}, {""}, {"pods"});
  EXPECT_NO_THROW(check_no_escalation(authorizer, alice, role));
  *role.add_rules() = rule({"delete"}, {""}, {"pods"});
  EXPECT_THROW(check_no_escalation(authorizer, alice, role), ApiError);
  policy->cluster_roles["escalator"] = cluster_role("escalator", {rule({"escalate"}, {"rbac.authorization.k8s.io"}, {"roles"})});
  policy->role_bindings["ns"].push_back(binding<rbac::RoleBinding>("e", "ns", "ClusterRole", "escalator", {subject("User", "alice")}));
  EXPECT_NO_THROW(check_no_escalation(authorizer, alice, role));
}

template <class T>
std::vector<std::string> causes(T object, const T* old = nullptr) {
  apply_defaults(object);
  try {
    validate(sdk::resource_type_of<T>(), object, old);
  } catch (const ApiError& e) {
    std::vector<std::string> out;
    for (const auto& c : e.details().causes()) out.push_back(c.field() + ": " + c.message());
    return out;
  }
  return {};
}

TEST(RbacValidation, KubernetesMessages) {
  for (auto& r : default_cluster_roles()) EXPECT_EQ(causes(r), Strings{}) << r.metadata().name();
  for (auto& b : default_cluster_role_bindings()) EXPECT_EQ(causes(b), Strings{}) << b.metadata().name();
  rbac::Role role;
  role.mutable_metadata()->set_name("r");
  role.mutable_metadata()->set_namespace_("ns");
  *role.add_rules() = url_rule({"get"}, {"/healthz"});
  *role.add_rules() = rule({}, {}, {"pods"});
  EXPECT_EQ(causes(role), (Strings{"rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot "
                                   "apply to non-resource URLs",
                                   "rules[1].verbs: Required value: verbs must contain at least one value",
                                   "rules[1].apiGroups: Required value: resource rules must supply at least one api group"}));

  auto b = binding<rbac::RoleBinding>("b", "ns", "ClusterRole", "view", {subject("Robot", "r2")});
  b.mutable_subjects(0)->set_api_group("");
  EXPECT_EQ(causes(b), Strings{"subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\""});
  auto user = binding<rbac::RoleBinding>("b", "ns", "ClusterRole", "view", {subject("User", "alice")});
  user.mutable_subjects(0)->clear_api_group();
  user.mutable_role_ref()->clear_api_group();
  EXPECT_EQ(causes(user), Strings{}) << "apiGroups defaulted";
  auto changed = user;
  changed.mutable_role_ref()->set_name("edit");
  apply_defaults(user);
  EXPECT_EQ(causes(changed, &user), Strings{"roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", "
                                            "Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef"});
  auto cluster = binding<rbac::ClusterRoleBinding>("c", "", "Role", "x", {subject("ServiceAccount", "sa")});
  EXPECT_EQ(causes(cluster), (Strings{"roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
                                      "subjects[0].namespace: Required value"}));
}

TEST(RbacTables, AsKubectlPrintsThem) {
  auto b = binding<rbac::RoleBinding>("b", "ns", "ClusterRole", "view",
                                      {subject("User", "alice"), subject("User", "bob"), subject("Group", "devs"),
                                       subject("ServiceAccount", "ci", "build")});
  b.mutable_metadata()->set_creation_timestamp("2026-01-01T00:00:00Z");
  auto table = render_table(sdk::resource_type_of<rbac::RoleBinding>(), {std::make_shared<rbac::RoleBinding>(b)}, {});
  Strings names;
  for (const auto& c : table.at("columnDefinitions").as_array()) names.emplace_back(c.at("name").as_string());
  EXPECT_EQ(names, (Strings{"Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"}));
  const auto& cells = table.at("rows").as_array().at(0).at("cells").as_array();
  EXPECT_EQ(cells.at(1).as_string(), "ClusterRole/view");
  EXPECT_EQ(cells.at(3).as_string(), "alice, bob");
  EXPECT_EQ(cells.at(4).as_string(), "devs");
  EXPECT_EQ(cells.at(5).as_string(), "build/ci");
  auto role = cluster_role("view", {});
  role.mutable_metadata()->set_creation_timestamp("2026-01-01T00:00:00Z");
  auto roles = render_table(sdk::resource_type_of<rbac::ClusterRole>(), {std::make_shared<rbac::ClusterRole>(role)}, {});
  EXPECT_EQ(roles.at("columnDefinitions").as_array().at(1).at("name").as_string(), "Created At");
  EXPECT_EQ(roles.at("rows").as_array().at(0).at("cells").as_array().at(1).as_string(), "2026-01-01T00:00:00Z");
}

}  // namespace
