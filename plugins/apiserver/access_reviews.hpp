// Who am I and what may I do — `kubectl auth whoami` and `kubectl auth can-i [--list]`:
//   POST /apis/authentication.k8s.io/{v1,v1beta1}/selfsubjectreviews   the caller's user info
//   POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews        may the caller do this?
//   POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews         all the caller may do
// Answered by the authorizer Skiff runs today: every authenticated request is allowed (as
// Kubernetes' AlwaysAllow mode); the answers say so, and RBAC will answer here when it comes.
#pragma once

#include "auth.hpp"
#include "http_names.hpp"
#include "request_info.hpp"

namespace skiff::apiserver {

inline constexpr const char* kAuthenticationGroup = "authentication.k8s.io";
inline constexpr const char* kAuthorizationGroup = "authorization.k8s.io";

class AccessReviews {
 public:
  // `tokens` null: the API runs without authentication (every caller is system:unsecured).
  explicit AccessReviews(const BearerAuthenticator* tokens) : tokens_(tokens) {}

  void handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response) const;

 private:
  UserInfo caller(const HttpRequest& request) const;
  const BearerAuthenticator* tokens_;
};

}  // namespace skiff::apiserver
