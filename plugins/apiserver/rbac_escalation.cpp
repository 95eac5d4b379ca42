// Kubernetes' ConfirmNoEscalation, ruleCovers, BreakdownRule and CompactString, and the
// escalate/bind checks of its role and binding storage.
#include "rbac_escalation.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <map>
#include <optional>

#include "rbac_validation.hpp"

namespace skiff::apiserver {
namespace {

using Strings = google::protobuf::RepeatedPtrField<std::string>;

bool has(const Strings& list, const std::string& value) { return std::find(list.begin(), list.end(), value) != list.end(); }

bool has_all(const Strings& set, const Strings& wanted) {
  for (const auto& w : wanted)
    if (!has(set, w)) return false;
  return true;
}

bool resources_cover(const Strings& owner, const Strings& wanted) {
  if (has(owner, "*") || has_all(owner, wanted)) return true;
  for (const auto& path : wanted) {
    if (has(owner, path)) continue;
    auto slash = path.find('/');
    if (slash == std::string::npos || !has(owner, "*/" + path.substr(slash + 1))) return false;
  }
  return true;
}

bool url_covers(const std::string& owner, const std::string& path) {
  if (owner == path) return true;
  return !owner.empty() && owner.back() == '*' && path.rfind(owner.substr(0, owner.find_last_not_of('*') + 1), 0) == 0;
}

bool urls_cover(const Strings& owner, const Strings& wanted) {
  for (const auto& path : wanted)
    if (std::none_of(owner.begin(), owner.end(), [&](const std::string& o) { return url_covers(o, path); })) return false;
  return true;
}

bool rule_covers(const rbac::PolicyRule& owner, const rbac::PolicyRule& sub) {
  bool verbs = has(owner.verbs(), "*") || has_all(owner.verbs(), sub.verbs());
  bool groups = has(owner.api_groups(), "*") || has_all(owner.api_groups(), sub.api_groups());
  bool names = owner.resource_names().empty() || (!sub.resource_names().empty() && has_all(owner.resource_names(), sub.resource_names()));
  return verbs && groups && names && resources_cover(owner.resources(), sub.resources()) &&
         urls_cover(owner.non_resource_urls(), sub.non_resource_urls());
}

// One rule per group × resource × verb (× name), and per URL × verb.
std::vector<rbac::PolicyRule> breakdown(const rbac::PolicyRule& rule) {
  std::vector<rbac::PolicyRule> out;
  for (const auto& group : rule.api_groups())
    for (const auto& resource : rule.resources())
      for (const auto& verb : rule.verbs()) {
        rbac::PolicyRule one;
        one.add_api_groups(group);
        one.add_resources(resource);
        one.add_verbs(verb);
        if (rule.resource_names().empty()) out.push_back(one);
        for (const auto& name : rule.resource_names()) {
          rbac::PolicyRule named = one;
          named.add_resource_names(name);
          out.push_back(named);
        }
      }
  for (const auto& url : rule.non_resource_urls())
    for (const auto& verb : rule.verbs()) {
      rbac::PolicyRule one;
      one.add_non_resource_urls(url);
      one.add_verbs(verb);
      out.push_back(one);
    }
  return out;
}

// Simple rules (one group, one resource, no names) of the same group and resource become one
// with all their verbs, as Kubernetes' CompactRules does.
std::vector<rbac::PolicyRule> compact(const std::vector<rbac::PolicyRule>& rules) {
  std::vector<rbac::PolicyRule> out;
  std::map<std::pair<std::string, std::string>, std::size_t> simple;
  for (const auto& rule : rules) {
    bool is_simple = rule.api_groups_size() == 1 && rule.resources_size() == 1 && rule.resource_names().empty() &&
                     rule.non_resource_urls().empty();
    if (!is_simple) {
      out.push_back(rule);
      continue;
    }
    auto key = std::make_pair(rule.api_groups(0), rule.resources(0));
    auto found = simple.find(key);
    if (found == simple.end()) {
      simple[key] = out.size();
      out.push_back(rule);
      continue;
    }
    for (const auto& verb : rule.verbs())
      if (!has(out[found->second].verbs(), verb)) out[found->second].add_verbs(verb);
  }
  return out;
}

// Go's %q of a []string: ["a" "b"].
std::string go_quoted_list(const Strings& list) {
  std::string out = "[";
  for (int i = 0; i < list.size(); ++i) out += (i ? " " : "") + quoted(list[i]);
  return out + "]";
}

std::string go_quoted_list(const std::vector<std::string>& list) {
  Strings copy(list.begin(), list.end());
  return go_quoted_list(copy);
}

struct Target {
  std::string resource, namespace_, name;
  const PolicyRules* rules = nullptr;   // a role's own rules
  const rbac::RoleRef* role_ref = nullptr;  // a binding's role
};

std::optional<Target> target_of(const google::protobuf::Message& object) {
  const auto* d = object.GetDescriptor();
  if (d == rbac::Role::descriptor()) {
    const auto& r = static_cast<const rbac::Role&>(object);
    return Target{"roles", r.metadata().namespace_(), r.metadata().name(), &r.rules(), nullptr};
  }
  if (d == rbac::ClusterRole::descriptor()) {
    const auto& r = static_cast<const rbac::ClusterRole&>(object);
    // An aggregated role's rules are the controller's to fill; only the selectors are the user's.
    static const PolicyRules kNone;
    return Target{"clusterroles", "", r.metadata().name(), r.has_aggregation_rule() ? &kNone : &r.rules(), nullptr};
  }
  if (d == rbac::RoleBinding::descriptor()) {
    const auto& b = static_cast<const rbac::RoleBinding&>(object);
    return Target{"rolebindings", b.metadata().namespace_(), b.metadata().name(), nullptr, &b.role_ref()};
  }
  if (d == rbac::ClusterRoleBinding::descriptor()) {
    const auto& b = static_cast<const rbac::ClusterRoleBinding&>(object);
    return Target{"clusterrolebindings", "", b.metadata().name(), nullptr, &b.role_ref()};
  }
  return std::nullopt;
}

bool may(const RbacAuthorizer& authorizer, const UserInfo& user, const std::string& verb, const std::string& resource,
         const std::string& ns, const std::string& name) {
  AuthorizationAttributes a;
  a.user = user;
  a.verb = verb;
  a.group = kRbacGroup;
  a.version = "v1";
  a.resource = resource;
  a.namespace_ = ns;
  a.name = name;
  a.resource_request = true;
  return authorizer.authorize(a).allowed;
}

// 403 unless `user` holds every rule of `rules` where the target lives.
void confirm_held(const RbacAuthorizer& authorizer, const UserInfo& user, const Target& target, const PolicyRules& rules) {
  auto held = authorizer.rules_for(user, target.namespace_);
  auto missing = uncovered_rules(held.rules, rules);
  if (missing.empty()) return;
  std::string text = "user " + quoted(user.name) + " (groups=" + go_quoted_list(user.groups) +
                     ") is attempting to grant RBAC permissions not currently held:";
  for (const auto& rule : missing) text += "\n" + compact_rule(rule);
  if (!held.errors.empty()) {
    text += "; resolution errors: [";
    for (std::size_t i = 0; i < held.errors.size(); ++i) text += (i ? " " : "") + held.errors[i];
    text += "]";
  }
  throw forbidden_resource(kRbacGroup, target.resource, target.name, text);
}

}  // namespace

std::vector<rbac::PolicyRule> uncovered_rules(const std::vector<rbac::PolicyRule>& owner, const PolicyRules& wanted) {
  std::vector<rbac::PolicyRule> missing;
  for (const auto& rule : wanted)
    for (const auto& piece : breakdown(rule)) {
      bool covered = std::any_of(owner.begin(), owner.end(), [&](const rbac::PolicyRule& o) { return rule_covers(o, piece); });
      if (!covered) missing.push_back(piece);
    }
  auto out = compact(missing);
  std::sort(out.begin(), out.end(), [](const rbac::PolicyRule& a, const rbac::PolicyRule& b) {
    return compact_rule(a) < compact_rule(b);
  });
  return out;
}

std::string compact_rule(const rbac::PolicyRule& r) {
  std::vector<std::string> parts;
  if (!r.api_groups().empty()) parts.push_back("APIGroups:" + go_quoted_list(r.api_groups()));
  if (!r.resources().empty()) parts.push_back("Resources:" + go_quoted_list(r.resources()));
  if (!r.non_resource_urls().empty()) parts.push_back("NonResourceURLs:" + go_quoted_list(r.non_resource_urls()));
  if (!r.resource_names().empty()) parts.push_back("ResourceNames:" + go_quoted_list(r.resource_names()));
  if (!r.verbs().empty()) parts.push_back("Verbs:" + go_quoted_list(r.verbs()));
  std::string out = "{";
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + "}";
}

void check_no_escalation(const RbacAuthorizer& authorizer, const UserInfo& user, const google::protobuf::Message& object) {
  auto target = target_of(object);
  if (!target || is_master(user)) return;
  const PolicyRules* rules = target->rules;
  if (target->role_ref) {
    const auto& ref = *target->role_ref;
    std::string role_resource = ref.kind() == "Role" ? "roles" : "clusterroles";
    if (may(authorizer, user, "bind", role_resource, target->namespace_, ref.name())) return;
    std::string error;
    auto policy = authorizer.policy();  // keeps the role's rules alive
    const PolicyRules* role = role_rules(*policy, ref, target->namespace_, error);
    if (!role) throw ApiError(sdk::Status::NotFound(error));
    return confirm_held(authorizer, user, *target, *role);
  }
  if (may(authorizer, user, "escalate", target->resource, target->namespace_, target->name)) return;
  confirm_held(authorizer, user, *target, *rules);
}

}  // namespace skiff::apiserver
