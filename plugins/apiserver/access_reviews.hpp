// Who am I and what may I do — `kubectl auth whoami` and `kubectl auth can-i [--list]` — and
// what may someone else do:
//   POST /apis/authentication.k8s.io/{v1,v1beta1}/selfsubjectreviews        the caller's user info
//   POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews             may the caller do this?
//   POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews              all the caller may do in a namespace
//   POST /apis/authorization.k8s.io/v1/subjectaccessreviews                 may this user/these groups do this?
//   POST /apis/authorization.k8s.io/v1/namespaces/<ns>/localsubjectaccessreviews   the same, in <ns>
// Answered by the RBAC authorizer (or, without one, allowed: Kubernetes' AlwaysAllow). Whether
// the caller may post a review at all is the request's own authorization.
#pragma once

#include "auth.hpp"
#include "http_names.hpp"
#include "rbac_authorizer.hpp"
#include "request_info.hpp"

namespace skiff::apiserver {

inline constexpr const char* kAuthenticationGroup = "authentication.k8s.io";
inline constexpr const char* kAuthorizationGroup = "authorization.k8s.io";

class AccessReviews {
 public:
  // `tokens` null: the API runs without authentication (every caller is system:unsecured).
  explicit AccessReviews(const BearerAuthenticator* tokens) : tokens_(tokens) {}
  void set_authorizer(const RbacAuthorizer* authorizer) { authorizer_ = authorizer; }

  void handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response) const;

 private:
  UserInfo caller(const HttpRequest& request) const;
  Decision decide(const AuthorizationAttributes& attributes) const;

  const BearerAuthenticator* tokens_;
  const RbacAuthorizer* authorizer_ = nullptr;
};

}  // namespace skiff::apiserver
