#include "service_account_api.hpp"

#include <algorithm>

#include "api_error.hpp"
#include "object_codec.hpp"
#include "skiff/sdk/k8s_json.hpp"

namespace skiff::apiserver {

namespace json = boost::json;
namespace authn = api::authentication::v1;

namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kGroupVersion = "authentication.k8s.io/v1";

json::object typed(const google::protobuf::Message& message, const char* kind) {
  json::object out{{"kind", kind}, {"apiVersion", kGroupVersion}};
  json::value fields = sdk::to_k8s_json(message);  // kept: a loop over a temporary's member would dangle
  for (auto& [key, value] : fields.as_object()) out[key] = value;
  return out;
}

template <class T>
T decode(const HttpRequest& request, const char* kind) {
  json::value body = parse_body(request.body, request.header("Content-Type"));
  if (!body.is_object()) throw ApiError(sdk::Status::BadRequest(std::string("the body is not a ") + kind + " object"));
  T message;
  sdk::from_k8s_json(body, message);
  return message;
}

}  // namespace

ServiceAccountTokens& ServiceAccountApi::tokens() {
  if (!tokens_)
    throw ApiError(sdk::Status::Unavailable("service account tokens are not served: this apiserver has no signing key "
                                            "(it runs without authentication)"));
  return *tokens_;
}

void ServiceAccountApi::request_token(const std::string& ns, const std::string& account, const HttpRequest& request,
                                      HttpResponder& response) {
  auto asked = decode<authn::TokenRequest>(request, "TokenRequest");
  authn::TokenRequest issued = tokens().issue(ns, account, std::move(asked));
  response.send(201, kJson, json::serialize(typed(issued, "TokenRequest")));
}

void ServiceAccountApi::review(const HttpRequest& request, HttpResponder& response) {
  auto asked = decode<authn::TokenReview>(request, "TokenReview");
  if (asked.spec().token().empty())
    throw ApiError(sdk::Status::Invalid("TokenReview.authentication.k8s.io \"\" is invalid: spec.token: Required value"));
  std::vector<std::string> audiences(asked.spec().audiences().begin(), asked.spec().audiences().end());
  TokenCheck check = tokens().review(asked.spec().token(), audiences);
  if (!check.user && everyone_ && audiences.empty())  // a static token has no audience: only the API's own review
    if (auto user = everyone_->authenticate("Bearer " + asked.spec().token())) check = {user, {}, ""};
  auto* status = asked.mutable_status();
  status->set_authenticated(check.user.has_value());
  if (check.user) {
    status->mutable_user()->set_username(check.user->name);
    status->mutable_user()->set_uid(check.user->uid);
    for (const auto& g : check.user->groups) status->mutable_user()->add_groups(g);
    if (std::find(check.user->groups.begin(), check.user->groups.end(), "system:authenticated") == check.user->groups.end())
      status->mutable_user()->add_groups("system:authenticated");
    for (const auto& a : check.audiences) status->add_audiences(a);
  } else {
    status->set_error(check.error);
  }
  asked.mutable_spec()->clear_token();  // the answer does not echo the secret back
  response.send(201, kJson, json::serialize(typed(asked, "TokenReview")));
}

bool ServiceAccountApi::is_discovery_path(const std::string& path) {
  return path == "/.well-known/openid-configuration" || path == "/openid/v1/jwks";
}

bool ServiceAccountApi::serve_discovery(const HttpRequest& request, HttpResponder& response,
                                        const std::string& server_address) {
  if (!is_discovery_path(request.path)) return false;
  if (request.path == "/openid/v1/jwks") {
    response.send(200, "application/jwk-set+json", json::serialize(tokens().signer().jwks()));
    return true;
  }
  json::object config{{"issuer", tokens().issuer()},
                      {"jwks_uri", "https://" + server_address + "/openid/v1/jwks"},
                      {"response_types_supported", json::array{"id_token"}},
                      {"subject_types_supported", json::array{"public"}},
                      {"id_token_signing_alg_values_supported", json::array{"ES256"}}};
  response.send(200, kJson, json::serialize(config));
  return true;
}

}  // namespace skiff::apiserver
