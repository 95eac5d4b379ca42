#include "rbac_authorizer.hpp"

#include <algorithm>

namespace skiff::apiserver {

bool is_master(const UserInfo& user) {
  return std::find(user.groups.begin(), user.groups.end(), kMastersGroup) != user.groups.end();
}

Decision RbacAuthorizer::authorize(const AuthorizationAttributes& attributes) const {
  if (is_master(attributes.user)) return {true, ""};
  return rbac_decide(*policy(), attributes);
}

void RbacAuthorizer::set_policy(std::shared_ptr<const RbacPolicy> policy) {
  std::lock_guard lock(mutex_);
  policy_ = std::move(policy);
}

std::shared_ptr<const RbacPolicy> RbacAuthorizer::policy() const {
  std::lock_guard lock(mutex_);
  return policy_;
}

RbacAuthorizer::HeldRules RbacAuthorizer::rules_for(const UserInfo& user, const std::string& ns) const {
  HeldRules held;
  visit_rules(*policy(), user, ns, [&](const std::string&, const rbac::PolicyRule* rule, const std::string& error) {
    if (rule) held.rules.push_back(*rule);
    else held.errors.push_back(error);
    return true;
  });
  return held;
}

}  // namespace skiff::apiserver
