// Bound service account tokens: TokenRequest issues them (serviceaccounts/<name>/token), and
// they authenticate requests for as long as they are unexpired and the account and the object
// they are bound to (a Pod or a Secret) still exist with the same uid — Kubernetes' rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api_core.hpp"
#include "auth.hpp"
#include "jwt_signer.hpp"
#include "skiff/api/authentication/v1/authentication.pb.h"

namespace skiff::apiserver {

struct ServiceAccountTokenOptions {
  std::string issuer = "https://kubernetes.default.svc.cluster.local";
  std::vector<std::string> api_audiences;  // empty: the issuer
  std::int64_t max_expiration_seconds = 0;  // 0: no cap beyond 2^32 s
};

// What a token review found.
struct TokenCheck {
  std::optional<UserInfo> user;
  std::vector<std::string> audiences;  // the requested audiences the token carries
  std::string error;                   // why it is refused
};

class ServiceAccountTokens final : public BearerAuthenticator {
 public:
  static constexpr std::int64_t kDefaultExpirationSeconds = 3600;
  static constexpr std::int64_t kMinExpirationSeconds = 600;

  ServiceAccountTokens(ApiCore& api, JwtSigner signer, ServiceAccountTokenOptions options);

  // TokenRequest: the request with its status (token, expiry) filled in. Throws ApiError.
  api::authentication::v1::TokenRequest issue(const std::string& ns, const std::string& account,
                                               api::authentication::v1::TokenRequest request);
  // A request's bearer token, checked against the API's own audiences (cached for 10 s, as
  // Kubernetes caches successful token authentications).
  std::optional<UserInfo> authenticate(const std::string& authorization_header) const override;
  // TokenReview: against `audiences` (none: the API's own).
  TokenCheck review(const std::string& token, const std::vector<std::string>& audiences) const;

  const JwtSigner& signer() const { return signer_; }
  const std::string& issuer() const { return options_.issuer; }

 private:
  struct Cached {
    UserInfo user;
    std::chrono::steady_clock::time_point until;
  };
  MessagePtr bound_object(const std::string& ns, const api::authentication::v1::BoundObjectReference& ref);
  std::optional<std::string> stale_binding(const boost::json::object& claims) const;

  ApiCore& api_;
  JwtSigner signer_;
  ServiceAccountTokenOptions options_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, Cached> cache_;
};

}  // namespace skiff::apiserver
