// The RBAC authorizer: answers from the latest snapshot of the four RBAC kinds (RbacCache
// keeps it current), never from the store; system:masters is always allowed, as Kubernetes'
// privileged-group authorizer runs before RBAC.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "authorizer.hpp"
#include "rbac_policy.hpp"

namespace skiff::apiserver {

class RbacAuthorizer final : public Authorizer {
 public:
  RbacAuthorizer() : policy_(std::make_shared<RbacPolicy>()) {}

  Decision authorize(const AuthorizationAttributes& attributes) const override;

  void set_policy(std::shared_ptr<const RbacPolicy> policy);
  std::shared_ptr<const RbacPolicy> policy() const;

  // Every rule `user` holds in `ns` (cluster-wide ones only for ""), and the errors met on the
  // way (bindings of missing roles) — SelfSubjectRulesReview and escalation checks.
  struct HeldRules {
    std::vector<rbac::PolicyRule> rules;
    std::vector<std::string> errors;
  };
  HeldRules rules_for(const UserInfo& user, const std::string& ns) const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const RbacPolicy> policy_;
};

bool is_master(const UserInfo& user);

}  // namespace skiff::apiserver
