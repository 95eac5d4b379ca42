// Request attributes and Kubernetes' Forbidden answer (its responsewriters.forbiddenMessage and
// errors.NewForbidden).
#include "authorizer.hpp"

#include <algorithm>
#include <cctype>

namespace skiff::apiserver {
namespace {

void add_group(UserInfo& user, const std::string& group) {
  if (std::find(user.groups.begin(), user.groups.end(), group) == user.groups.end()) user.groups.push_back(group);
}

// The name a fieldSelector of `metadata.name=<name>` (or `==`) pins a list or watch to.
std::string selected_name(const std::string& field_selector) {
  for (const std::string prefix : {"metadata.name==", "metadata.name="}) {
    if (field_selector.rfind(prefix, 0) != 0) continue;
    std::string name = field_selector.substr(prefix.size());
    if (name.find(',') != std::string::npos || name.find('/') != std::string::npos) return "";
    return name;
  }
  return "";
}

}  // namespace

UserInfo authenticated_user(UserInfo user) {
  const std::string prefix = "system:serviceaccount:";
  if (user.name.rfind(prefix, 0) == 0) {
    std::string rest = user.name.substr(prefix.size());
    auto colon = rest.find(':');
    if (colon != std::string::npos) {
      add_group(user, "system:serviceaccounts");
      add_group(user, "system:serviceaccounts:" + rest.substr(0, colon));
    }
  }
  add_group(user, kAuthenticatedGroup);
  return user;
}

UserInfo anonymous_user() { return {"system:anonymous", "", {kUnauthenticatedGroup}}; }

AuthorizationAttributes request_attributes(const HttpRequest& request, const RequestInfo& info, const UserInfo& user) {
  AuthorizationAttributes a;
  a.user = user;
  a.path = request.path;
  a.resource_request = info.is_resource;
  if (!info.is_resource) {
    a.verb = request.method_text.empty() ? std::string(boost::beast::http::to_string(request.method)) : request.method_text;
    std::transform(a.verb.begin(), a.verb.end(), a.verb.begin(), [](unsigned char c) { return std::tolower(c); });
    return a;
  }
  a.verb = info.verb;
  a.group = info.group;
  a.version = info.version;
  a.resource = info.resource;
  a.subresource = info.subresource;
  a.namespace_ = info.namespace_;
  a.name = info.name;
  // Kubernetes' RequestInfo: a namespace lives in itself.
  if (info.resource == "namespaces" && !info.name.empty()) a.namespace_ = info.name;
  if ((a.verb == "list" || a.verb == "watch") && a.name.empty())
    a.name = selected_name(request.query_value("fieldSelector"));
  return a;
}

std::string forbidden_message(const AuthorizationAttributes& a) {
  std::string user = "User " + quoted(a.user.name) + " cannot " + a.verb;
  if (!a.resource_request) return user + " path " + quoted(a.path);
  std::string resource = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  std::string text = user + " resource " + quoted(resource) + " in API group " + quoted(a.group);
  if (!a.namespace_.empty()) return text + " in the namespace " + quoted(a.namespace_);
  return text + " at the cluster scope";
}

ApiError forbidden_resource(const std::string& group, const std::string& resource, const std::string& name,
                            const std::string& text) {
  std::string qualified = group.empty() ? resource : resource + "." + group;
  std::string message = qualified.empty() ? "forbidden: " + text
                        : name.empty()    ? qualified + " is forbidden: " + text
                                          : qualified + " " + quoted(name) + " is forbidden: " + text;
  api::meta::v1::StatusDetails details;
  details.set_name(name);
  details.set_group(group);
  details.set_kind(resource);
  return ApiError(sdk::Status::Forbidden(message), details);
}

ApiError forbidden(const AuthorizationAttributes& a, const std::string& reason) {
  std::string text = forbidden_message(a);
  if (!reason.empty()) text += ": " + reason;
  if (!a.resource_request) return forbidden_resource("", "", "", text);
  return forbidden_resource(a.group, a.resource, a.name, text);
}

}  // namespace skiff::apiserver
