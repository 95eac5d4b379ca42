// Kubernetes' bootstrappolicy, trimmed to what Skiff serves, with its labels and annotations.
#include "rbac_bootstrap.hpp"

#include "api_error.hpp"
#include "rbac_validation.hpp"

namespace skiff::apiserver {
namespace {

namespace rbac = api::rbac::v1;
using Strings = std::vector<std::string>;

const Strings kRead = {"get", "list", "watch"};
const Strings kWrite = {"create", "delete", "deletecollection", "patch", "update"};

rbac::PolicyRule rule(const Strings& verbs, const Strings& groups, const Strings& resources) {
  rbac::PolicyRule r;
  for (const auto& v : verbs) r.add_verbs(v);
  for (const auto& g : groups) r.add_api_groups(g);
  for (const auto& x : resources) r.add_resources(x);
  return r;
}

rbac::PolicyRule url_rule(const Strings& verbs, const Strings& urls) {
  rbac::PolicyRule r;
  for (const auto& v : verbs) r.add_verbs(v);
  for (const auto& u : urls) r.add_non_resource_urls(u);
  return r;
}

rbac::ClusterRole role(const std::string& name, std::vector<rbac::PolicyRule> rules,
                       std::map<std::string, std::string> labels = {}) {
  rbac::ClusterRole r;
  auto* meta = r.mutable_metadata();
  meta->set_name(name);
  (*meta->mutable_labels())["kubernetes.io/bootstrapping"] = "rbac-defaults";
  for (const auto& [k, v] : labels) (*meta->mutable_labels())[k] = v;
  (*meta->mutable_annotations())["rbac.authorization.kubernetes.io/autoupdate"] = "true";
  for (auto& each : rules) *r.add_rules() = std::move(each);
  return r;
}

// admin, edit and view: their rules are the union of the ClusterRoles labelled aggregate-to-<name>.
rbac::ClusterRole aggregated(const std::string& name, std::map<std::string, std::string> labels = {}) {
  rbac::ClusterRole r = role(name, {}, std::move(labels));
  (*r.mutable_aggregation_rule()->add_cluster_role_selectors()->mutable_match_labels())
      ["rbac.authorization.k8s.io/aggregate-to-" + name] = "true";
  return r;
}

std::string aggregate_label(const std::string& to) { return "rbac.authorization.k8s.io/aggregate-to-" + to; }

std::vector<rbac::PolicyRule> view_rules() {
  return {rule(kRead, {""}, {"configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                             "services", "services/status", "serviceaccounts"}),
          rule(kRead, {""}, {"events", "namespaces/status", "pods/log", "pods/status"}),
          rule(kRead, {""}, {"namespaces"}),
          rule(kRead, {"discovery.k8s.io"}, {"endpointslices"}),
          rule(kRead, {"apps"}, {"controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                                 "deployments/status", "replicasets", "replicasets/scale", "replicasets/status",
                                 "statefulsets", "statefulsets/scale", "statefulsets/status"}),
          rule(kRead, {"autoscaling"}, {"horizontalpodautoscalers", "horizontalpodautoscalers/status"}),
          rule(kRead, {"batch"}, {"cronjobs", "cronjobs/status", "jobs", "jobs/status"}),
          rule(kRead, {"policy"}, {"poddisruptionbudgets", "poddisruptionbudgets/status"}),
          rule(kRead, {"networking.k8s.io"}, {"ingresses", "ingresses/status"}),
          rule(kRead, {"metrics.k8s.io"}, {"pods", "nodes"}),
          rule(kRead, {"logging.skiff.io"}, {"podlogs"})};
}

std::vector<rbac::PolicyRule> edit_rules() {
  return {rule(kRead, {""}, {"pods/attach", "pods/exec", "pods/portforward", "secrets"}),
          rule(kWrite, {""}, {"pods", "pods/attach", "pods/exec", "pods/portforward"}),
          rule({"create"}, {""}, {"pods/eviction"}),
          rule(kWrite, {""}, {"configmaps", "events", "persistentvolumeclaims", "secrets", "serviceaccounts", "services"}),
          rule({"create"}, {""}, {"serviceaccounts/token"}),
          rule(kWrite, {"apps"}, {"daemonsets", "deployments", "deployments/scale", "replicasets", "replicasets/scale",
                                  "statefulsets", "statefulsets/scale"}),
          rule(kWrite, {"autoscaling"}, {"horizontalpodautoscalers"}),
          rule(kWrite, {"batch"}, {"cronjobs", "jobs"}),
          rule(kWrite, {"networking.k8s.io"}, {"ingresses"}),
          rule(kWrite, {"policy"}, {"poddisruptionbudgets"}),
          rule(kWrite, {"coordination.k8s.io"}, {"leases"}),
          rule(kRead, {"coordination.k8s.io"}, {"leases"})};
}

std::vector<rbac::PolicyRule> admin_rules() {
  return {rule({"create"}, {"authorization.k8s.io"}, {"localsubjectaccessreviews"}),
          rule({"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}, {kRbacGroup},
               {"rolebindings", "roles"})};
}

rbac::ClusterRoleBinding binding(const std::string& name, const std::string& role_name, const Strings& groups) {
  rbac::ClusterRoleBinding b;
  auto* meta = b.mutable_metadata();
  meta->set_name(name);
  (*meta->mutable_labels())["kubernetes.io/bootstrapping"] = "rbac-defaults";
  (*meta->mutable_annotations())["rbac.authorization.kubernetes.io/autoupdate"] = "true";
  b.mutable_role_ref()->set_api_group(kRbacGroup);
  b.mutable_role_ref()->set_kind("ClusterRole");
  b.mutable_role_ref()->set_name(role_name);
  for (const auto& g : groups) {
    auto* s = b.add_subjects();
    s->set_kind("Group");
    s->set_api_group(kRbacGroup);
    s->set_name(g);
  }
  return b;
}

template <class Object>
void create_if_missing(ApiCore& api, const char* resource, const Object& object, spdlog::logger& log) {
  const sdk::ResourceType& type = *sdk::find_resource(resource);
  try {
    api.create(type, "", std::make_shared<Object>(object), {});
    log.info("created the default {} {}", type.kind, object.metadata().name());
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;
  }
}

}  // namespace

std::vector<rbac::ClusterRole> default_cluster_roles() {
  const std::string discovery_urls[] = {"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                                        "/openapi", "/openapi/*", "/readyz", "/version", "/version/"};
  return {
      role("cluster-admin", {rule({"*"}, {"*"}, {"*"}), url_rule({"*"}, {"*"})}),
      aggregated("admin"),
      aggregated("edit", {{aggregate_label("admin"), "true"}}),
      aggregated("view", {{aggregate_label("edit"), "true"}}),
      role("system:aggregate-to-admin", admin_rules(), {{aggregate_label("admin"), "true"}}),
      role("system:aggregate-to-edit", edit_rules(), {{aggregate_label("edit"), "true"}}),
      role("system:aggregate-to-view", view_rules(), {{aggregate_label("view"), "true"}}),
      role("system:discovery", {url_rule({"get"}, Strings(std::begin(discovery_urls), std::end(discovery_urls)))}),
      role("system:basic-user",
           {rule({"create"}, {"authorization.k8s.io"}, {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}),
            rule({"create"}, {"authentication.k8s.io"}, {"selfsubjectreviews"})}),
      role("system:public-info-viewer", {url_rule({"get"}, {"/healthz", "/livez", "/readyz", "/version", "/version/"})}),
  };
}

std::vector<rbac::ClusterRoleBinding> default_cluster_role_bindings() {
  return {binding("cluster-admin", "cluster-admin", {"system:masters"}),
          binding("system:discovery", "system:discovery", {"system:authenticated"}),
          binding("system:basic-user", "system:basic-user", {"system:authenticated"}),
          binding("system:public-info-viewer", "system:public-info-viewer", {"system:authenticated", "system:unauthenticated"})};
}

void ensure_default_rbac(ApiCore& api, spdlog::logger& log) {
  for (const auto& r : default_cluster_roles()) create_if_missing(api, "clusterroles.rbac.authorization.k8s.io", r, log);
  for (const auto& b : default_cluster_role_bindings())
    create_if_missing(api, "clusterrolebindings.rbac.authorization.k8s.io", b, log);
}

}  // namespace skiff::apiserver
