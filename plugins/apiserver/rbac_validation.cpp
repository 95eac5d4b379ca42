// Kubernetes' ValidatePolicyRule, ValidateRoleBinding(Update) and ValidateRoleBindingSubject.
#include "rbac_validation.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>

#include "field_rules.hpp"
#include "go_values.hpp"
#include "skiff/api/rbac/v1/rbac.pb.h"

namespace skiff::apiserver {
namespace {

namespace rbac = api::rbac::v1;

std::string idx(const std::string& path, int i) { return path + "[" + std::to_string(i) + "]"; }

void check_rules(FieldErrors& errors, const google::protobuf::RepeatedPtrField<rbac::PolicyRule>& rules, bool namespaced) {
  for (int i = 0; i < rules.size(); ++i) {
    const auto& rule = rules[i];
    std::string path = idx("rules", i);
    if (rule.verbs().empty()) errors.required(path + ".verbs", "verbs must contain at least one value");
    if (!rule.non_resource_urls().empty()) {
      if (namespaced)
        errors.invalid(path + ".nonResourceURLs", go_strings(rule.non_resource_urls()),
                       "namespaced rules cannot apply to non-resource URLs");
      if (!rule.api_groups().empty() || !rule.resources().empty() || !rule.resource_names().empty())
        errors.invalid(path + ".nonResourceURLs", go_strings(rule.non_resource_urls()),
                       "rules cannot apply to both regular resources and non-resource URLs");
      continue;
    }
    if (rule.api_groups().empty())
      errors.required(path + ".apiGroups", "resource rules must supply at least one api group");
    if (rule.resources().empty()) errors.required(path + ".resources", "resource rules must supply at least one resource");
  }
}

void check_aggregation(FieldErrors& errors, const rbac::ClusterRole& role) {
  if (!role.has_aggregation_rule()) return;
  const auto& selectors = role.aggregation_rule().cluster_role_selectors();
  if (selectors.empty())
    errors.required("aggregationRule.clusterRoleSelectors",
                    "at least one clusterRoleSelector required if aggregationRule is non-nil");
  for (int i = 0; i < selectors.size(); ++i) {
    std::string path = idx("aggregationRule.clusterRoleSelectors", i);
    for (const auto& [key, value] : selectors[i].match_labels()) {
      for (const auto& m : qualified_name_errors(key)) errors.invalid(path + ".matchLabels", quoted(key), m);
      for (const auto& m : label_value_errors(value)) errors.invalid(path + ".matchLabels", quoted(value), m);
    }
    const std::vector<std::string> operators = {"In", "NotIn", "Exists", "DoesNotExist"};
    for (int j = 0; j < selectors[i].match_expressions_size(); ++j) {
      const auto& e = selectors[i].match_expressions(j);
      if (std::find(operators.begin(), operators.end(), e.operator_()) == operators.end())
        errors.invalid(idx(path + ".matchExpressions", j) + ".operator", quoted(e.operator_()), "not a valid selector operator");
    }
  }
}

void check_subject(FieldErrors& errors, const rbac::Subject& subject, bool namespaced, const std::string& path) {
  if (subject.name().empty()) errors.required(path + ".name");
  if (subject.kind() == "ServiceAccount") {
    if (!subject.name().empty())
      for (const auto& m : dns1123_subdomain_errors(subject.name())) errors.invalid(path + ".name", quoted(subject.name()), m);
    if (!subject.api_group().empty()) errors.unsupported(path + ".apiGroup", subject.api_group(), {""});
    if (!namespaced && subject.namespace_().empty()) errors.required(path + ".namespace");
  } else if (subject.kind() == "User" || subject.kind() == "Group") {
    if (subject.api_group() != kRbacGroup) errors.unsupported(path + ".apiGroup", subject.api_group(), {kRbacGroup});
  } else {
    errors.unsupported(path + ".kind", subject.kind(), {"ServiceAccount", "User", "Group"});
  }
}

// Go's %#v of a RoleRef, as Kubernetes prints it when refusing a change.
std::string go_role_ref(const rbac::RoleRef& ref) {
  return "rbac.RoleRef{APIGroup:" + quoted(ref.api_group()) + ", Kind:" + quoted(ref.kind()) +
         ", Name:" + quoted(ref.name()) + "}";
}

template <class Binding>
void check_binding(FieldErrors& errors, const Binding& binding, const Binding* old, bool namespaced) {
  const auto& ref = binding.role_ref();
  if (ref.api_group() != kRbacGroup) errors.unsupported("roleRef.apiGroup", ref.api_group(), {kRbacGroup});
  std::vector<std::string> kinds = namespaced ? std::vector<std::string>{"Role", "ClusterRole"}
                                              : std::vector<std::string>{"ClusterRole"};
  if (std::find(kinds.begin(), kinds.end(), ref.kind()) == kinds.end()) errors.unsupported("roleRef.kind", ref.kind(), kinds);
  if (ref.name().empty()) errors.required("roleRef.name");
  for (const auto& m : path_segment_name_errors(ref.name())) errors.invalid("roleRef.name", quoted(ref.name()), m);
  for (int i = 0; i < binding.subjects_size(); ++i) check_subject(errors, binding.subjects(i), namespaced, idx("subjects", i));
  if (old && !google::protobuf::util::MessageDifferencer::Equals(old->role_ref(), ref))
    errors.invalid("roleRef", go_role_ref(ref), "cannot change roleRef");
}

void default_subjects(google::protobuf::RepeatedPtrField<rbac::Subject>& subjects) {
  for (auto& s : subjects)
    if (s.api_group().empty() && (s.kind() == "User" || s.kind() == "Group")) s.set_api_group(kRbacGroup);
}

}  // namespace

bool check_rbac(FieldErrors& errors, const google::protobuf::Message& object, const google::protobuf::Message* old) {
  const auto* d = object.GetDescriptor();
  if (d == rbac::Role::descriptor()) {
    check_rules(errors, static_cast<const rbac::Role&>(object).rules(), true);
  } else if (d == rbac::ClusterRole::descriptor()) {
    const auto& role = static_cast<const rbac::ClusterRole&>(object);
    check_rules(errors, role.rules(), false);
    check_aggregation(errors, role);
  } else if (d == rbac::RoleBinding::descriptor()) {
    check_binding(errors, static_cast<const rbac::RoleBinding&>(object), static_cast<const rbac::RoleBinding*>(old), true);
  } else if (d == rbac::ClusterRoleBinding::descriptor()) {
    check_binding(errors, static_cast<const rbac::ClusterRoleBinding&>(object),
                  static_cast<const rbac::ClusterRoleBinding*>(old), false);
  } else {
    return false;
  }
  return true;
}

bool default_rbac(google::protobuf::Message& object) {
  const auto* d = object.GetDescriptor();
  rbac::RoleRef* ref = nullptr;
  if (d == rbac::RoleBinding::descriptor()) {
    auto& binding = static_cast<rbac::RoleBinding&>(object);
    default_subjects(*binding.mutable_subjects());
    ref = binding.mutable_role_ref();
  } else if (d == rbac::ClusterRoleBinding::descriptor()) {
    auto& binding = static_cast<rbac::ClusterRoleBinding&>(object);
    default_subjects(*binding.mutable_subjects());
    ref = binding.mutable_role_ref();
  } else {
    return d == rbac::Role::descriptor() || d == rbac::ClusterRole::descriptor();
  }
  if (ref->api_group().empty()) ref->set_api_group(kRbacGroup);
  return true;
}

}  // namespace skiff::apiserver
