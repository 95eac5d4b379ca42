// Escalation prevention, as Kubernetes' RBAC storage does it: a user may write a Role or
// ClusterRole only with rules they hold themselves (or with `escalate` on it), and a binding
// only to a role whose rules they hold (or with `bind` on that role); system:masters may do all.
#pragma once

#include <string>
#include <vector>

#include "rbac_authorizer.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// Throws 403 `roles.rbac.authorization.k8s.io "x" is forbidden: user "alice" (groups=[…]) is
// attempting to grant RBAC permissions not currently held:` and the rules missing, one a line.
// Objects of other kinds pass.
void check_no_escalation(const RbacAuthorizer& authorizer, const UserInfo& user, const google::protobuf::Message& object);

// The parts of `wanted` that `owner` does not cover, broken down to one verb, group, resource
// (and name, or URL) each, then compacted and sorted (Kubernetes' ConfirmNoEscalation).
std::vector<rbac::PolicyRule> uncovered_rules(const std::vector<rbac::PolicyRule>& owner, const PolicyRules& wanted);
// {APIGroups:["apps"], Resources:["deployments"], Verbs:["create" "get"]} (Kubernetes' CompactString).
std::string compact_rule(const rbac::PolicyRule& rule);

}  // namespace skiff::apiserver
