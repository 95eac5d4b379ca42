// Where a request's bearer token is: the Authorization header, or — for a WebSocket from a
// browser, which cannot set headers — a subprotocol offered as
// base64url.bearer.authorization.k8s.io.<token in unpadded base64url>, as Kubernetes accepts.
#pragma once

#include <string>

#include "http_names.hpp"

namespace skiff::apiserver {

inline constexpr const char* kBearerProtocolPrefix = "base64url.bearer.authorization.k8s.io.";

// "Bearer <token>" (or whatever Authorization says); "" when the request carries no token.
std::string authorization_of(const HttpRequest& request);

}  // namespace skiff::apiserver
