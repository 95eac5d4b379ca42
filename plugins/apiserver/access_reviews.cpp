#include "access_reviews.hpp"

#include <boost/json.hpp>

#include "api_error.hpp"
#include "object_codec.hpp"
#include "request_credentials.hpp"

namespace skiff::apiserver {

namespace json = boost::json;

namespace {

constexpr const char* kAllowedReason = "Skiff allows every authenticated request (no authorizer: AlwaysAllow)";

json::object resource(const char* name, const char* kind, bool namespaced = false) {
  return json::object{{"name", name}, {"singularName", ""}, {"namespaced", namespaced}, {"kind", kind},
                      {"verbs", json::array{"create"}}};
}

json::object resource_list(const std::string& group_version, json::array resources) {
  return json::object{{"kind", "APIResourceList"}, {"apiVersion", "v1"}, {"groupVersion", group_version},
                      {"resources", std::move(resources)}};
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.push_back(json::value(s));
  return out;
}

template <class Repeated>
json::array strings_of(const Repeated& items) {
  return strings(std::vector<std::string>(items.begin(), items.end()));
}

json::object user_json(const UserInfo& user) {
  json::object out{{"username", user.name}, {"groups", strings(user.groups)}};
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

std::string text_at(const json::object& object, const char* key) {
  const json::value* v = object.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

const json::object* object_at(const json::object& object, const char* key) {
  const json::value* v = object.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

// Only for a document: an object passed here would be copied into a temporary value.
const json::object* object_in(const json::value& document, const char* key) {
  return document.is_object() ? object_at(document.as_object(), key) : nullptr;
}

[[noreturn]] void invalid(const char* kind, const std::string& field, const std::string& message) {
  throw ApiError(sdk::Status::Invalid(std::string(kind) + ".authorization.k8s.io \"\" is invalid: " + field + ": " + message));
}

// The attributes a review's spec asks about (exactly one of resourceAttributes and nonResourceAttributes).
AuthorizationAttributes spec_attributes(const json::object& spec, const UserInfo& user, const char* kind) {
  const json::object* resource = object_at(spec, "resourceAttributes");
  const json::object* non_resource = object_at(spec, "nonResourceAttributes");
  if (resource && non_resource)
    invalid(kind, "spec.nonResourceAttributes", "Invalid value: \"null\": cannot be specified in combination with resourceAttributes");
  if (!resource && !non_resource)
    invalid(kind, "spec.resourceAttributes", "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified");
  AuthorizationAttributes a;
  a.user = user;
  if (non_resource) {
    a.path = text_at(*non_resource, "path");
    a.verb = text_at(*non_resource, "verb");
    return a;
  }
  a.resource_request = true;
  a.namespace_ = text_at(*resource, "namespace");
  a.verb = text_at(*resource, "verb");
  a.group = text_at(*resource, "group");
  a.version = text_at(*resource, "version");
  a.resource = text_at(*resource, "resource");
  a.subresource = text_at(*resource, "subresource");
  a.name = text_at(*resource, "name");
  return a;
}

// SubjectAccessReview's user: exactly as the spec names it (nothing added, as Kubernetes does).
UserInfo spec_user(const json::object& spec, const char* kind) {
  UserInfo user{text_at(spec, "user"), text_at(spec, "uid"), {}};
  if (const json::value* groups = spec.if_contains("groups"); groups && groups->is_array())
    for (const auto& g : groups->as_array())
      if (g.is_string()) user.groups.emplace_back(g.as_string());
  if (user.name.empty() && user.groups.empty())
    invalid(kind, "spec.user", "Invalid value: \"\": at least one of user or group must be specified");
  return user;
}

json::object decision_status(const Decision& decision) {
  json::object status{{"allowed", decision.allowed}};
  if (!decision.reason.empty()) status["reason"] = decision.reason;
  return status;
}

json::object rules_status(const RbacAuthorizer::HeldRules& held) {
  json::array resource_rules, url_rules;
  for (const auto& rule : held.rules) {
    if (!rule.non_resource_urls().empty()) {
      url_rules.push_back(json::object{{"verbs", strings_of(rule.verbs())}, {"nonResourceURLs", strings_of(rule.non_resource_urls())}});
      continue;
    }
    json::object r{{"verbs", strings_of(rule.verbs())}};
    if (!rule.api_groups().empty()) r["apiGroups"] = strings_of(rule.api_groups());
    if (!rule.resources().empty()) r["resources"] = strings_of(rule.resources());
    if (!rule.resource_names().empty()) r["resourceNames"] = strings_of(rule.resource_names());
    resource_rules.push_back(std::move(r));
  }
  json::object status{{"resourceRules", std::move(resource_rules)}, {"nonResourceRules", std::move(url_rules)},
                      {"incomplete", !held.errors.empty()}};
  if (!held.errors.empty()) {
    std::string text = held.errors.size() == 1 ? held.errors[0] : "[";
    if (held.errors.size() > 1)
      for (std::size_t i = 0; i < held.errors.size(); ++i) text += (i ? ", " : "") + held.errors[i];
    if (held.errors.size() > 1) text += "]";
    status["evaluationError"] = text;
  }
  return status;
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
  return authenticated_user(*user);
}

Decision AccessReviews::decide(const AuthorizationAttributes& attributes) const {
  if (!authorizer_) return {true, kAllowedReason};
  return authorizer_->authorize(attributes);
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
    return send(response, 200,
                resource_list(group_version, {resource("localsubjectaccessreviews", "LocalSubjectAccessReview", true),
                                              resource("selfsubjectaccessreviews", "SelfSubjectAccessReview"),
                                              resource("selfsubjectrulesreviews", "SelfSubjectRulesReview"),
                                              resource("subjectaccessreviews", "SubjectAccessReview")}));
  }
  if (info.verb != "create")
    throw ApiError(sdk::Status{405, "MethodNotAllowed", "a review is only created (POST), never read back"});
  json::value body = parse_body(request.body, request.header("Content-Type"));
  static const json::object kNoSpec;
  const json::object& spec = object_in(body, "spec") ? *object_in(body, "spec") : kNoSpec;
  const std::string& r = info.resource;
  if (authn && r == "selfsubjectreviews")
    return send(response, 201, answered(body, "SelfSubjectReview", group_version, {{"userInfo", user_json(caller(request))}}));
  if (authn) throw not_found();
  if (r == "selfsubjectaccessreviews") {
    auto attributes = spec_attributes(spec, caller(request), "SelfSubjectAccessReview");
    return send(response, 201, answered(body, "SelfSubjectAccessReview", group_version, decision_status(decide(attributes))));
  }
  if (r == "selfsubjectrulesreviews") {
    json::object status = authorizer_ ? rules_status(authorizer_->rules_for(caller(request), text_at(spec, "namespace")))
                                      : every_rule();
    return send(response, 201, answered(body, "SelfSubjectRulesReview", group_version, std::move(status)));
  }
  if (r == "subjectaccessreviews" && info.namespace_.empty()) {
    auto attributes = spec_attributes(spec, spec_user(spec, "SubjectAccessReview"), "SubjectAccessReview");
    return send(response, 201, answered(body, "SubjectAccessReview", group_version, decision_status(decide(attributes))));
  }
  if (r == "localsubjectaccessreviews" && !info.namespace_.empty()) {
    if (object_at(spec, "nonResourceAttributes"))
      invalid("LocalSubjectAccessReview", "spec.nonResourceAttributes", "Invalid value: \"null\": disallowed on this kind of request");
    auto attributes = spec_attributes(spec, spec_user(spec, "LocalSubjectAccessReview"), "LocalSubjectAccessReview");
    if (attributes.namespace_.empty()) attributes.namespace_ = info.namespace_;
    if (attributes.namespace_ != info.namespace_)
      throw ApiError(sdk::Status::BadRequest("spec.resourceAttributes.namespace must match namespace: " + info.namespace_));
    return send(response, 201, answered(body, "LocalSubjectAccessReview", group_version, decision_status(decide(attributes))));
  }
  throw not_found();
}

}  // namespace skiff::apiserver
