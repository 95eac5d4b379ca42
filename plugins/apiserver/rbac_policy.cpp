// Kubernetes' RuleAllows, appliesTo and the rule visitor of its RBAC authorizer.
#include "rbac_policy.hpp"

#include <algorithm>

namespace skiff::apiserver {
namespace {

bool has(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool has_or_all(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& value) {
  return has(list, "*") || has(list, value);
}

bool resource_matches(const rbac::PolicyRule& rule, const std::string& resource, const std::string& subresource) {
  std::string combined = subresource.empty() ? resource : resource + "/" + subresource;
  for (const auto& r : rule.resources()) {
    if (r == "*" || r == combined) return true;
    if (!subresource.empty() && r == "*/" + subresource) return true;
  }
  return false;
}

bool url_matches(const rbac::PolicyRule& rule, const std::string& path) {
  for (const auto& url : rule.non_resource_urls()) {
    if (url == "*" || url == path) return true;
    if (!url.empty() && url.back() == '*' && path.rfind(url.substr(0, url.size() - 1), 0) == 0) return true;
  }
  return false;
}

std::string describe_subject(const rbac::Subject& s, const std::string& binding_namespace) {
  if (s.kind() == "ServiceAccount")
    return s.kind() + " " + quoted(s.name() + "/" + (s.namespace_().empty() ? binding_namespace : s.namespace_()));
  return s.kind() + " " + quoted(s.name());
}

// Visits the rules of one binding when it names `user`; false once `visit` has had enough.
template <class Binding>
bool visit_binding(const RbacPolicy& policy, const Binding& binding, const std::string& ns, const std::string& what,
                   const UserInfo& user, const RuleVisitor& visit) {
  const rbac::Subject* subject = nullptr;
  for (const auto& s : binding.subjects())
    if (subject_matches(s, user, ns)) {
      subject = &s;
      break;
    }
  if (!subject) return true;
  std::string error;
  const PolicyRules* rules = role_rules(policy, binding.role_ref(), ns, error);
  if (!rules) return visit("", nullptr, error);
  std::string source = what + " of " + binding.role_ref().kind() + " " + quoted(binding.role_ref().name()) + " to " +
                       describe_subject(*subject, ns);
  for (const auto& rule : *rules)
    if (!visit(source, &rule, "")) return false;
  return true;
}

}  // namespace

bool rule_allows(const rbac::PolicyRule& rule, const AuthorizationAttributes& a) {
  if (!has_or_all(rule.verbs(), a.verb)) return false;
  if (!a.resource_request) return url_matches(rule, a.path);
  if (!has_or_all(rule.api_groups(), a.group) || !resource_matches(rule, a.resource, a.subresource)) return false;
  return rule.resource_names().empty() || has(rule.resource_names(), a.name);
}

bool subject_matches(const rbac::Subject& s, const UserInfo& user, const std::string& binding_namespace) {
  if (s.kind() == "User") return s.name() == user.name;
  if (s.kind() == "Group") return std::find(user.groups.begin(), user.groups.end(), s.name()) != user.groups.end();
  if (s.kind() == "ServiceAccount") {
    const std::string& ns = s.namespace_().empty() ? binding_namespace : s.namespace_();
    return !ns.empty() && user.name == "system:serviceaccount:" + ns + ":" + s.name();
  }
  return false;
}

const PolicyRules* role_rules(const RbacPolicy& policy, const rbac::RoleRef& ref, const std::string& ns, std::string& error) {
  if (ref.kind() == "ClusterRole") {
    auto found = policy.cluster_roles.find(ref.name());
    if (found != policy.cluster_roles.end()) return &found->second.rules();
    error = "clusterrole.rbac.authorization.k8s.io " + quoted(ref.name()) + " not found";
    return nullptr;
  }
  if (ref.kind() == "Role" && !ns.empty()) {
    auto found = policy.roles.find(ns + "/" + ref.name());
    if (found != policy.roles.end()) return &found->second.rules();
  }
  error = "role.rbac.authorization.k8s.io " + quoted(ref.name()) + " not found";
  return nullptr;
}

void visit_rules(const RbacPolicy& policy, const UserInfo& user, const std::string& ns, const RuleVisitor& visit) {
  for (const auto& binding : policy.cluster_role_bindings)
    if (!visit_binding(policy, binding, "", "ClusterRoleBinding " + quoted(binding.metadata().name()), user, visit))
      return;
  if (ns.empty()) return;
  auto bindings = policy.role_bindings.find(ns);
  if (bindings == policy.role_bindings.end()) return;
  for (const auto& binding : bindings->second)
    if (!visit_binding(policy, binding, ns, "RoleBinding " + quoted(binding.metadata().name() + "/" + ns), user, visit))
      return;
}

Decision rbac_decide(const RbacPolicy& policy, const AuthorizationAttributes& attributes) {
  Decision decision;
  std::vector<std::string> errors;
  visit_rules(policy, attributes.user, attributes.namespace_,
              [&](const std::string& source, const rbac::PolicyRule* rule, const std::string& error) {
                if (!rule) {
                  errors.push_back(error);
                  return true;
                }
                if (!rule_allows(*rule, attributes)) return true;
                decision = {true, "RBAC: allowed by " + source};
                return false;
              });
  if (decision.allowed || errors.empty()) return decision;
  // Go's aggregate error: one alone, several as [a, b].
  std::string text = errors.size() == 1 ? errors[0] : "[";
  if (errors.size() > 1)
    for (std::size_t i = 0; i < errors.size(); ++i) text += (i ? ", " : "") + errors[i] + (i + 1 == errors.size() ? "]" : "");
  decision.reason = "RBAC: " + text;
  return decision;
}

}  // namespace skiff::apiserver
