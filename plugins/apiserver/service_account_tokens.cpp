// Claims as Kubernetes writes them (iss, sub, aud, exp, iat, nbf, jti, and "kubernetes.io"
// with the namespace, the account and the bound object), so tools that read them work.
#include "service_account_tokens.hpp"

#include <algorithm>

#include "api_error.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service_account.pb.h"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {

namespace json = boost::json;
namespace authn = api::authentication::v1;

namespace {

constexpr auto kCacheFor = std::chrono::seconds(10);
constexpr std::size_t kCacheMax = 4096;
constexpr std::int64_t kMaxExpirationSeconds = std::int64_t{1} << 32;
constexpr std::int64_t kClockSkewSeconds = 60;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(sdk::WallClock::now().time_since_epoch()).count();
}

std::string user_name(const std::string& ns, const std::string& account) {
  return "system:serviceaccount:" + ns + ":" + account;
}

UserInfo user_of(const std::string& ns, const std::string& account, const std::string& uid) {
  return {user_name(ns, account), uid, {"system:serviceaccounts", "system:serviceaccounts:" + ns}};
}

ApiError invalid(const std::string& account, const std::string& detail) {
  return ApiError(sdk::Status::Invalid("TokenRequest.authentication.k8s.io \"" + account + "\" is invalid: " + detail));
}

std::vector<std::string> audiences_of(const json::object& claims) {
  std::vector<std::string> out;
  const auto* aud = claims.if_contains("aud");
  if (aud && aud->is_string()) out.emplace_back(aud->as_string());
  if (aud && aud->is_array())
    for (const auto& a : aud->as_array())
      if (a.is_string()) out.emplace_back(a.as_string());
  return out;
}

std::string text_at(const json::object& object, std::initializer_list<const char*> path) {
  const json::value* at = nullptr;
  const json::object* current = &object;
  for (const char* key : path) {
    if (!current) return "";
    at = current->if_contains(key);
    current = at && at->is_object() ? &at->as_object() : nullptr;
  }
  return at && at->is_string() ? std::string(at->as_string()) : "";
}

std::int64_t number_at(const json::object& object, const char* key) {
  const auto* at = object.if_contains(key);
  return at && at->is_int64() ? at->as_int64() : 0;
}

}  // namespace

ServiceAccountTokens::ServiceAccountTokens(ApiCore& api, JwtSigner signer, ServiceAccountTokenOptions options)
    : api_(api), signer_(std::move(signer)), options_(std::move(options)) {
  if (options_.api_audiences.empty()) options_.api_audiences = {options_.issuer};
}

MessagePtr ServiceAccountTokens::bound_object(const std::string& ns, const authn::BoundObjectReference& ref) {
  const sdk::ResourceType* type = ref.kind() == "Pod" ? sdk::find_resource("pods")
                                  : ref.kind() == "Secret" ? sdk::find_resource("secrets")
                                                           : nullptr;
  if (!type)
    throw ApiError(sdk::Status::BadRequest("cannot bind a token to an object of kind \"" + ref.kind() +
                                           "\": spec.boundObjectRef.kind must be Pod or Secret"));
  MessagePtr object = api_.get(*type, ns, ref.name());
  const auto& uid = sdk::meta_of(*object).uid();
  if (!ref.uid().empty() && ref.uid() != uid)
    throw ApiError(sdk::Status::Conflict("the UID in the bound object reference (" + ref.uid() +
                                         ") does not match the UID in record (" + uid +
                                         "). The object might have been deleted and then recreated"));
  return object;
}

authn::TokenRequest ServiceAccountTokens::issue(const std::string& ns, const std::string& account,
                                                authn::TokenRequest request) {
  auto& spec = *request.mutable_spec();
  std::int64_t seconds = spec.has_expiration_seconds() ? spec.expiration_seconds() : kDefaultExpirationSeconds;
  if (seconds < kMinExpirationSeconds)
    throw invalid(account, "spec.expirationSeconds: Invalid value: " + std::to_string(seconds) +
                               ": may not specify a duration less than 10 minutes");
  if (seconds > kMaxExpirationSeconds)
    throw invalid(account, "spec.expirationSeconds: Invalid value: " + std::to_string(seconds) +
                               ": may not specify a duration larger than 2^32 seconds");
  if (options_.max_expiration_seconds > 0) seconds = std::min(seconds, options_.max_expiration_seconds);
  spec.set_expiration_seconds(seconds);
  if (spec.audiences().empty())
    for (const auto& a : options_.api_audiences) spec.add_audiences(a);

  MessagePtr found = api_.get(*sdk::find_resource("serviceaccounts"), ns, account);
  const auto& sa = static_cast<const api::core::v1::ServiceAccount&>(*found);
  json::object identity{{"namespace", ns},
                        {"serviceaccount", json::object{{"name", account}, {"uid", sa.metadata().uid()}}}};
  if (spec.has_bound_object_ref() && !spec.bound_object_ref().kind().empty()) {
    MessagePtr bound = bound_object(ns, spec.bound_object_ref());
    const auto& meta = sdk::meta_of(*bound);
    if (spec.bound_object_ref().kind() == "Pod" &&
        static_cast<const api::core::v1::Pod&>(*bound).spec().service_account_name() != account)
      throw ApiError(sdk::Status::BadRequest("cannot bind a token for serviceaccount \"" + account + "\" to pod \"" +
                                             meta.name() + "\", which runs as \"" +
                                             static_cast<const api::core::v1::Pod&>(*bound).spec().service_account_name() +
                                             "\""));
    std::string key = spec.bound_object_ref().kind() == "Pod" ? "pod" : "secret";
    identity[key] = json::object{{"name", meta.name()}, {"uid", meta.uid()}};
    spec.mutable_bound_object_ref()->set_uid(meta.uid());
  }

  std::int64_t now = unix_now();
  json::array audiences;
  for (const auto& a : spec.audiences()) audiences.emplace_back(a);
  json::object claims{{"iss", options_.issuer}, {"sub", user_name(ns, account)}, {"aud", std::move(audiences)},
                      {"exp", now + seconds},   {"iat", now},                    {"nbf", now},
                      {"jti", sdk::new_uid()},  {"kubernetes.io", std::move(identity)}};
  auto* meta = request.mutable_metadata();
  meta->set_name(account);
  meta->set_namespace_(ns);
  if (meta->creation_timestamp().empty()) meta->set_creation_timestamp(sdk::now_rfc3339());
  request.mutable_status()->set_token(signer_.sign(claims));
  request.mutable_status()->set_expiration_timestamp(
      sdk::format_rfc3339(sdk::WallClock::time_point(std::chrono::seconds(now + seconds))));
  return request;
}

// Why the token's account or bound object no longer stands, if it does not.
std::optional<std::string> ServiceAccountTokens::stale_binding(const json::object& claims) const {
  std::string ns = text_at(claims, {"kubernetes.io", "namespace"});
  std::string account = text_at(claims, {"kubernetes.io", "serviceaccount", "name"});
  auto still_there = [&](const char* resource, const std::string& name, const std::string& uid) -> std::optional<std::string> {
    try {
      if (sdk::meta_of(*api_.get(*sdk::find_resource(resource), ns, name)).uid() == uid) return std::nullopt;
    } catch (const ApiError& e) {
      if (e.status().code != 404) return "cannot check the token's " + std::string(resource) + ": " + e.status().message;
    }
    return std::string(resource) + " \"" + ns + "/" + name + "\" of the token is gone (or was made again)";
  };
  if (auto stale = still_there("serviceaccounts", account, text_at(claims, {"kubernetes.io", "serviceaccount", "uid"})))
    return stale;
  for (const auto& [key, resource] : {std::pair{"pod", "pods"}, std::pair{"secret", "secrets"}}) {
    std::string name = text_at(claims, {"kubernetes.io", key, "name"});
    if (name.empty()) continue;
    if (auto stale = still_there(resource, name, text_at(claims, {"kubernetes.io", key, "uid"}))) return stale;
  }
  return std::nullopt;
}

TokenCheck ServiceAccountTokens::review(const std::string& token, const std::vector<std::string>& wanted) const {
  TokenCheck check;
  auto claims = signer_.verify(token);
  if (!claims || text_at(*claims, {"iss"}) != options_.issuer) {
    check.error = "invalid bearer token";
    return check;
  }
  std::int64_t now = unix_now();
  if (number_at(*claims, "exp") + kClockSkewSeconds <= now || number_at(*claims, "nbf") - kClockSkewSeconds > now) {
    check.error = "invalid bearer token, token has expired";
    return check;
  }
  const auto& audiences = wanted.empty() ? options_.api_audiences : wanted;
  for (const auto& a : audiences_of(*claims))
    if (std::find(audiences.begin(), audiences.end(), a) != audiences.end()) check.audiences.push_back(a);
  if (check.audiences.empty()) {
    check.error = "invalid bearer token, token audiences are invalid";
    return check;
  }
  if (auto stale = stale_binding(*claims)) {
    check.error = "invalid bearer token, " + *stale;
    return check;
  }
  check.user = user_of(text_at(*claims, {"kubernetes.io", "namespace"}),
                       text_at(*claims, {"kubernetes.io", "serviceaccount", "name"}),
                       text_at(*claims, {"kubernetes.io", "serviceaccount", "uid"}));
  return check;
}

std::optional<UserInfo> ServiceAccountTokens::authenticate(const std::string& header) const {
  std::string token = bearer_token_of(header);
  if (token.empty() || std::count(token.begin(), token.end(), '.') != 2) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto hit = cache_.find(token); hit != cache_.end() && hit->second.until > now) return hit->second.user;
  }
  TokenCheck check = review(token, {});
  if (!check.user) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kCacheMax) cache_.clear();
  cache_[token] = {*check.user, now + kCacheFor};
  return check.user;
}

}  // namespace skiff::apiserver
