// One subject per verb; several subscriptions in the "apiserver" queue group share the load
// (and replicas of the API server share it with them).
#include "bus_api.hpp"

#include <boost/json.hpp>

#include "api_error.hpp"
#include "object_codec.hpp"
#include "skiff/apiserver/v1/api.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::apiserver {
namespace {

using apiserver::v1::ApiRequest;
using apiserver::v1::ApiResponse;

const sdk::ResourceType& type_of(const ApiRequest& request) {
  const sdk::ResourceType* type = sdk::find_resource_by_plural(request.group(), request.resource());
  if (!type)
    throw ApiError(sdk::Status::NotFound("the server could not find the requested resource (" +
                                         (request.group().empty() ? "" : request.group() + "/") + request.resource() + ")"));
  return *type;
}

MessagePtr object_of(const sdk::ResourceType& type, const ApiRequest& request) {
  MessagePtr object(type.new_object().release());
  if (!object->ParseFromString(request.object()))
    throw ApiError(sdk::Status::BadRequest("the request's object is not a valid " + type.kind));
  return object;
}

ApiResponse one(const MessagePtr& object) {
  ApiResponse response;
  response.set_object(object->SerializeAsString());
  return response;
}

// TokenRequest: the request in `object`, the issued request (with its token) back.
ApiResponse token_for(ServiceAccountTokens* tokens, const ApiRequest& r) {
  if (!tokens) throw ApiError(sdk::Status::Unavailable("service account tokens are not served by this apiserver"));
  api::authentication::v1::TokenRequest request;
  if (!request.ParseFromString(r.object())) throw ApiError(sdk::Status::BadRequest("the request's object is not a TokenRequest"));
  ApiResponse response;
  response.set_object(tokens->issue(r.namespace_(), r.name(), std::move(request)).SerializeAsString());
  return response;
}

WriteOptions write_options(const ApiRequest& request) { return {request.dry_run(), request.field_manager()}; }

// What a node's request touches, for the Node authorizer.
void authorize(NodeAuthorizer& authorizer, const std::string& node, const std::string& verb, const ApiRequest& r) {
  if (verb == "bind")
    throw ApiError(sdk::Status::Forbidden("node \"" + node + "\" may not bind pods: only the scheduler binds"));
  const auto& type = type_of(r);
  MessagePtr object;
  bool token_request = r.subresource() == "token";  // a TokenRequest, not the account itself
  if ((verb == "create" || verb == "update") && !token_request) object = object_of(type, r);
  std::string name = r.name().empty() && object ? sdk::meta_of(*object).name() : r.name();
  authorizer.check(node, {verb, type, r.namespace_(), name, r.subresource(), object.get()});
}

}  // namespace

BusApi::BusApi(sdk::Bus& bus, const sdk::Subjects& subjects, ApiCore& api, int workers, ServiceAccountTokens* tokens)
    : authorizer_(api), relay_(bus, subjects) {
  auto serve = [&](const char* verb, std::function<ApiResponse(const ApiRequest&)> handler) {
    for (int i = 0; i < std::max(1, workers); ++i) {
      subscriptions_.push_back(sdk::serve_proto<ApiRequest>(
          bus, subjects.cluster_api(verb), "apiserver", [handler](const ApiRequest& request, const sdk::Request&) { return handler(request); }));
      subscriptions_.push_back(sdk::serve_proto<ApiRequest>(
          bus, subjects.node_api_any(verb), "apiserver",
          [this, handler, subjects, verb = std::string(verb)](const ApiRequest& request, const sdk::Request& from) {
            std::string node = subjects.node_of_api_subject(from.message().subject);
            authorize(authorizer_, node, verb, request);
            ApiResponse response = handler(request);
            if (verb == "list") redact_for_nodes(type_of(request), *response.mutable_items());
            return response;
          }));
    }
  };
  serve("get", [&api](const ApiRequest& r) { return one(api.get(type_of(r), r.namespace_(), r.name())); });
  serve("list", [&api](const ApiRequest& r) {
    // One page per request (a reply must fit in a bus message); callers follow `continue`.
    ListQuery query{r.namespace_(), r.label_selector(), r.field_selector(), r.continue_(), r.limit() > 0 ? r.limit() : 500};
    ListResult result = api.list(type_of(r), query);
    ApiResponse response;
    for (const auto& item : result.items) response.add_items(item->SerializeAsString());
    response.set_resource_version(result.resource_version);
    response.set_continue_(result.continue_token);
    return response;
  });
  serve("create", [&api, tokens](const ApiRequest& r) {
    const auto& type = type_of(r);
    if (r.subresource() == "token" && type.kind == "ServiceAccount") return token_for(tokens, r);
    return one(api.create(type, r.namespace_(), object_of(type, r), write_options(r)));
  });
  serve("update", [&api](const ApiRequest& r) {
    const auto& type = type_of(r);
    return one(api.update(type, r.namespace_(), r.name(), object_of(type, r), r.subresource(), write_options(r)));
  });
  serve("patch", [&api](const ApiRequest& r) {
    const auto& type = type_of(r);
    PatchType kind = r.patch_type() == "json"        ? PatchType::Json
                     : r.patch_type() == "strategic" ? PatchType::Strategic
                                                     : PatchType::Merge;
    boost::json::value patch = parse_body(r.patch(), "application/json");
    return one(api.modify(type, r.namespace_(), r.name(), [&](const google::protobuf::Message& current) {
      std::vector<std::string> warnings;
      return patch_object(type, current, kind, patch, "Ignore", warnings);
    }, r.subresource(), write_options(r)));
  });
  serve("delete", [&api](const ApiRequest& r) {
    DeleteOptions options;
    if (r.delete_options().has_grace_period_seconds()) options.grace_period_seconds = r.delete_options().grace_period_seconds();
    options.propagation_policy = r.delete_options().propagation_policy();
    options.precondition_uid = r.delete_options().precondition_uid();
    options.precondition_resource_version = r.delete_options().precondition_resource_version();
    return one(api.erase(type_of(r), r.namespace_(), r.name(), options, r.dry_run()).object);
  });
  serve("bind", [&api](const ApiRequest& r) {
    return one(api.bind(r.namespace_(), r.name(), r.node(), r.delete_options().precondition_uid()));
  });
  serve_batch_verbs(bus, subjects, api, workers);
  auto history = [&api](const ApiRequest& r) {
    std::int64_t since = r.resource_version().empty() ? 0 : std::stoll(r.resource_version());
    return api.store().history(type_of(r).resource(), since);
  };
  for (int i = 0; i < std::max(1, workers); ++i) {
    subscriptions_.push_back(sdk::serve_proto<ApiRequest>(
        bus, subjects.cluster_api("history"), "apiserver", [history](const ApiRequest& r, const sdk::Request&) { return history(r); }));
    subscriptions_.push_back(sdk::serve_proto<ApiRequest>(
        bus, subjects.node_api_any("history"), "apiserver", [this, history, subjects](const ApiRequest& r, const sdk::Request& from) {
          authorize(authorizer_, subjects.node_of_api_subject(from.message().subject), "history", r);
          auto events = history(r);
          redact_for_nodes(type_of(r), events);
          return events;
        }));
  }
}

}  // namespace skiff::apiserver
