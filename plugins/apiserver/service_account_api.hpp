// The HTTP side of service account tokens: TokenRequest (POST serviceaccounts/<name>/token,
// `kubectl create token`), TokenReview (authentication.k8s.io/v1 tokenreviews), and the issuer's
// OIDC discovery (/.well-known/openid-configuration, /openid/v1/jwks) so others can check tokens.
#pragma once

#include <string>

#include "auth.hpp"
#include "http_names.hpp"
#include "service_account_tokens.hpp"

namespace skiff::apiserver {

class ServiceAccountApi {
 public:
  // `everyone`: the whole authenticator chain, for TokenReview of tokens that are not JWTs.
  ServiceAccountApi(ServiceAccountTokens* tokens, const BearerAuthenticator* everyone)
      : tokens_(tokens), everyone_(everyone) {}

  void request_token(const std::string& ns, const std::string& account, const HttpRequest& request,
                     HttpResponder& response);
  void review(const HttpRequest& request, HttpResponder& response);
  // True when the path was one of the discovery documents (and it was answered).
  bool serve_discovery(const HttpRequest& request, HttpResponder& response, const std::string& server_address);
  static bool is_discovery_path(const std::string& path);

 private:
  ServiceAccountTokens& tokens();

  ServiceAccountTokens* tokens_;
  const BearerAuthenticator* everyone_;
};

}  // namespace skiff::apiserver
