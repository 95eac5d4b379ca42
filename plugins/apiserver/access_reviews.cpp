#include "access_reviews.hpp"

#include <boost/json.hpp>

#include "api_error.hpp"
#include "object_codec.hpp"
#include "request_credentials.hpp"

namespace skiff::apiserver {

namespace json = boost::json;

namespace {

constexpr const char* kAllowedReason = "Skiff allows every authenticated request (no RBAC yet: AlwaysAllow)";

json::object resource(const char* name, const char* kind) {
  return json::object{{"name", name}, {"singularName", ""}, {"namespaced", false}, {"kind", kind},
                      {"verbs", json::array{"create"}}};
}

json::object resource_list(const std::string& group_version, json::array resources) {
  return json::object{{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", group_version},
                      {"resources", std::move(resources)}};
}

json::object user_json(const UserInfo& user) {
  json::array groups;
  for (const auto& g : user.groups) groups.push_back(json::value(g));
  json::object out{{"username", user.name}, {"groups", std::move(groups)}};
  if (!user.uid.empty()) out["uid"] = user.uid;
  return out;
}

// The review as posted, with its kind, version and the status the authorizer gives.
json::object answered(const json::value& body, const char* kind, const std::string& group_version, json::object status) {
  json::object out = body.is_object() ? body.as_object() : json::object{};
  out["kind"] = kind;
  out["apiVersion"] = group_version;
  if (!out.contains("metadata")) out["metadata"] = json::object{};
  out["status"] = std::move(status);
  return out;
}

json::object every_rule() {
  json::object resources{{"verbs", json::array{"*"}}, {"apiGroups", json::array{"*"}}, {"resources", json::array{"*"}}};
  json::object urls{{"verbs", json::array{"*"}}, {"nonResourceURLs", json::array{"*"}}};
  return json::object{{"resourceRules", json::array{resources}}, {"nonResourceRules", json::array{urls}},
                      {"incomplete", false}};
}

void send(HttpResponder& response, unsigned code, const json::object& doc) {
  response.send(code, "application/json", json::serialize(doc));
}

}  // namespace

UserInfo AccessReviews::caller(const HttpRequest& request) const {
  if (!tokens_) return {"system:unsecured", "", {"system:masters", "system:authenticated"}};
  auto user = tokens_->authenticate(authorization_of(request));
  if (!user) throw ApiError(sdk::Status::Unauthorized("Unauthorized"));
  UserInfo out = *user;
  out.groups.push_back("system:authenticated");
  return out;
}

void AccessReviews::handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response) const {
  auto not_found = [] { return ApiError(sdk::Status::NotFound("the server could not find the requested resource")); };
  bool authn = info.group == kAuthenticationGroup;
  if (authn ? info.version != "v1" && info.version != "v1beta1" : info.version != "v1") throw not_found();
  std::string group_version = info.group + "/" + info.version;
  if (!info.is_resource) {
    if (authn) {
      json::array resources{resource("selfsubjectreviews", "SelfSubjectReview")};
      if (info.version == "v1") resources.push_back(resource("tokenreviews", "TokenReview"));
      return send(response, 200, resource_list(group_version, std::move(resources)));
    }
    return send(response, 200, resource_list(group_version, {resource("selfsubjectaccessreviews", "SelfSubjectAccessReview"),
                                                             resource("selfsubjectrulesreviews", "SelfSubjectRulesReview")}));
  }
  if (info.verb != "create")
    throw ApiError(sdk::Status{405, "MethodNotAllowed", "a review is only created (POST), never read back"});
  json::value body = parse_body(request.body, request.header("Content-Type"));
  UserInfo user = caller(request);
  if (authn && info.resource == "selfsubjectreviews")
    return send(response, 201, answered(body, "SelfSubjectReview", group_version, {{"userInfo", user_json(user)}}));
  if (!authn && info.resource == "selfsubjectaccessreviews")
    return send(response, 201, answered(body, "SelfSubjectAccessReview", group_version,
                                        {{"allowed", true}, {"reason", kAllowedReason}}));
  if (!authn && info.resource == "selfsubjectrulesreviews")
    return send(response, 201, answered(body, "SelfSubjectRulesReview", group_version, every_rule()));
  throw not_found();
}

}  // namespace skiff::apiserver
