// Validation and defaulting of Role, ClusterRole, RoleBinding and ClusterRoleBinding, as
// Kubernetes' rbac validation words it (e.g. `roleRef: Invalid value: …: cannot change roleRef`).
#pragma once

#include "api_error.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

inline constexpr const char* kRbacGroup = "rbac.authorization.k8s.io";

// Validates an RBAC object (`old` on update); false when the object is of another kind.
bool check_rbac(FieldErrors& errors, const google::protobuf::Message& object, const google::protobuf::Message* old);
// Kubernetes' v1 defaults: roleRef.apiGroup and User/Group subjects' apiGroup are the RBAC group.
// False when the object is of another kind.
bool default_rbac(google::protobuf::Message& object);

}  // namespace skiff::apiserver
