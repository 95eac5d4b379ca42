// Who may do what: the attributes of a request (Kubernetes' authorizer.Attributes), the
// decision an authorizer gives, and the 403 Status Kubernetes answers a refusal with.
#pragma once

#include <string>

#include "api_error.hpp"
#include "auth.hpp"
#include "request_info.hpp"

namespace skiff::apiserver {

struct AuthorizationAttributes {
  UserInfo user;
  std::string verb, group, version, resource, subresource, namespace_, name, path;
  bool resource_request = false;
};

struct Decision {
  bool allowed = false;
  std::string reason;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Decision authorize(const AuthorizationAttributes& attributes) const = 0;
};

inline constexpr const char* kMastersGroup = "system:masters";
inline constexpr const char* kAuthenticatedGroup = "system:authenticated";
inline constexpr const char* kUnauthenticatedGroup = "system:unauthenticated";

// The user as authorization sees it: system:authenticated added, and a ServiceAccount's user
// (system:serviceaccount:<ns>:<name>) in system:serviceaccounts and system:serviceaccounts:<ns>.
UserInfo authenticated_user(UserInfo user);
// Who a request without a (valid) token is, for the paths that need none.
UserInfo anonymous_user();

// The attributes of an HTTP request: resource requests with Kubernetes' verbs (a namespace's
// own namespace is its name; a list or watch of one `metadata.name` names it), the rest a
// path and the lowercase method.
AuthorizationAttributes request_attributes(const HttpRequest& request, const RequestInfo& info, const UserInfo& user);

// Kubernetes' words for a refusal: `User "alice" cannot list resource "pods" in API group "" in
// the namespace "default"` (or `… at the cluster scope`, or `cannot get path "/metrics"`).
std::string forbidden_message(const AuthorizationAttributes& attributes);
// The 403 Forbidden Status: `pods "x" is forbidden: <message>[: <reason>]`, details name/group/kind.
ApiError forbidden(const AuthorizationAttributes& attributes, const std::string& reason);
// A 403 for `resource.group "name"` with the text given (`forbidden: <text>` when no resource).
ApiError forbidden_resource(const std::string& group, const std::string& resource, const std::string& name,
                            const std::string& text);

}  // namespace skiff::apiserver
