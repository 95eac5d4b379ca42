// The RBAC objects as one immutable snapshot, and Kubernetes' rule evaluation on it
// (rbac.authorization.k8s.io/v1: rules, subjects, role references).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "authorizer.hpp"
#include "skiff/api/rbac/v1/rbac.pb.h"

namespace skiff::apiserver {

namespace rbac = api::rbac::v1;
using PolicyRules = google::protobuf::RepeatedPtrField<rbac::PolicyRule>;

struct RbacPolicy {
  std::map<std::string, rbac::ClusterRole> cluster_roles;                // by name
  std::map<std::string, rbac::Role> roles;                               // by "<namespace>/<name>"
  std::vector<rbac::ClusterRoleBinding> cluster_role_bindings;
  std::map<std::string, std::vector<rbac::RoleBinding>> role_bindings;  // by namespace
};

// Does `rule` allow the request? Verbs, API groups, resources (`*`, `resource/subresource`,
// `*/subresource`) and resourceNames; or non-resource URLs (a trailing `*` matches a prefix).
bool rule_allows(const rbac::PolicyRule& rule, const AuthorizationAttributes& attributes);
// Is `user` this subject of a binding in `binding_namespace` ("" for a ClusterRoleBinding)?
bool subject_matches(const rbac::Subject& subject, const UserInfo& user, const std::string& binding_namespace);

// The rules `ref` names for a binding in `ns`; nullptr and Kubernetes' not-found text in `error`.
const PolicyRules* role_rules(const RbacPolicy& policy, const rbac::RoleRef& ref, const std::string& ns, std::string& error);

// Each rule `user` holds in `ns` (only the cluster-wide ones when `ns` is empty): `source` says
// which binding gives it ("ClusterRoleBinding \"x\" of ClusterRole \"y\" to User \"alice\""); a
// binding whose role is missing comes with `rule` null and `error` set. Stops when `visit` says false.
using RuleVisitor = std::function<bool(const std::string& source, const rbac::PolicyRule* rule, const std::string& error)>;
void visit_rules(const RbacPolicy& policy, const UserInfo& user, const std::string& ns, const RuleVisitor& visit);

// RBAC's answer (no system:masters shortcut): allowed with "RBAC: allowed by …", or refused
// with "" — or "RBAC: <errors>" when a binding named a missing role.
Decision rbac_decide(const RbacPolicy& policy, const AuthorizationAttributes& attributes);

}  // namespace skiff::apiserver
