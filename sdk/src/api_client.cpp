// One bus request per call; errors arrive as the API's Status and are thrown as sdk::Error.
#include "skiff/sdk/api_client.hpp"

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/object_meta.hpp"

#include "skiff/apiserver/v1/api.pb.h"
#include "skiff/sdk/bus_proto.hpp"

namespace skiff::sdk {

using apiserver::v1::ApiRequest;
using apiserver::v1::ApiResponse;

ApiClient::ApiClient(Bus& bus, Subjects subjects, std::chrono::milliseconds timeout)
    : bus_(bus), subjects_(std::move(subjects)), timeout_(timeout) {}

ApiRequest ApiClient::request(const ResourceType& type, const std::string& ns, const std::string& name) {
  ApiRequest r;
  r.set_group(type.group);
  r.set_resource(type.plural);
  if (type.namespaced) r.set_namespace_(ns);
  r.set_name(name);
  return r;
}

std::string ApiClient::call(const char* verb, const ApiRequest& request) const {
  return sdk::call<ApiResponse>(bus_, subjects_.api(verb), request, timeout_).object();
}

std::string ApiClient::get_bytes(const ResourceType& type, const std::string& ns, const std::string& name) const {
  return call("get", request(type, ns, name));
}

std::vector<std::string> ApiClient::list_bytes(const ResourceType& type, const std::string& ns, const std::string& labels,
                                               const std::string& fields) const {
  ApiRequest r = request(type, ns, "");
  r.set_label_selector(labels);
  r.set_field_selector(fields);
  std::vector<std::string> items;
  do {  // the API answers in pages that fit a bus message
    auto response = sdk::call<ApiResponse>(bus_, subjects_.api("list"), r, timeout_);
    for (auto& item : *response.mutable_items()) items.push_back(std::move(item));
    r.set_continue_(response.continue_());
  } while (!r.continue_().empty());
  return items;
}

std::string ApiClient::write(const char* verb, const ResourceType& type, const std::string& ns, const std::string& name,
                             const std::string& subresource, const std::string& object) const {
  ApiRequest r = request(type, ns, name);
  r.set_subresource(subresource);
  r.set_object(object);
  return call(verb, r);
}

std::string ApiClient::patch_bytes(const ResourceType& type, const std::string& ns, const std::string& name,
                                   const std::string& patch_type, const std::string& patch,
                                   const std::string& subresource) const {
  ApiRequest r = request(type, ns, name);
  r.set_patch_type(patch_type);
  r.set_patch(patch);
  r.set_subresource(subresource);
  return call("patch", r);
}

std::string ApiClient::erase_bytes(const ResourceType& type, const std::string& ns, const std::string& name,
                                   const ApiDeleteOptions& options) const {
  ApiRequest r = request(type, ns, name);
  if (options.grace_period_seconds) r.mutable_delete_options()->set_grace_period_seconds(*options.grace_period_seconds);
  r.mutable_delete_options()->set_propagation_policy(options.propagation_policy);
  r.mutable_delete_options()->set_precondition_uid(options.precondition_uid);
  return call("delete", r);
}

std::string ApiClient::bind(const std::string& ns, const std::string& pod, const std::string& node,
                            const std::string& uid) const {
  ApiRequest r = request(*find_resource("pods"), ns, pod);
  r.set_node(node);
  r.mutable_delete_options()->set_precondition_uid(uid);
  return call("bind", r);
}

std::string ApiClient::update_object(const ResourceType& type, const google::protobuf::Message& object,
                                     const std::string& subresource) const {
  const auto& meta = meta_of(object);
  return write("update", type, meta.namespace_(), meta.name(), subresource, object.SerializeAsString());
}

std::vector<std::pair<Status, std::string>> ApiClient::create_many_bytes(const ResourceType& type, const std::string& ns,
                                                                       const std::vector<std::string>& objects) const {
  apiserver::v1::CreateManyRequest request;
  request.set_group(type.group);
  request.set_resource(type.plural);
  request.set_namespace_(type.namespaced ? ns : "");
  for (const auto& o : objects) request.add_objects(o);
  auto response = sdk::call<apiserver::v1::CreateManyResponse>(bus_, subjects_.api("createmany"), request, timeout_);
  if (response.results_size() != request.objects_size())
    throw Error(Status::Internal("the API answered " + std::to_string(response.results_size()) + " of " +
                                 std::to_string(request.objects_size()) + " creations"));
  std::vector<std::pair<Status, std::string>> out;
  for (auto& r : *response.mutable_results())
    out.emplace_back(Status{r.code(), r.reason(), r.message()}, std::move(*r.mutable_object()));
  return out;
}

std::vector<std::pair<Status, std::string>> ApiClient::update_status_many_bytes(
    const ResourceType& type, const std::vector<std::string>& objects) const {
  apiserver::v1::UpdateStatusManyRequest request;
  request.set_group(type.group);
  request.set_resource(type.plural);
  for (const auto& o : objects) request.add_objects(o);
  auto response = sdk::call<apiserver::v1::UpdateStatusManyResponse>(bus_, subjects_.api("statusmany"), request, timeout_);
  if (response.results_size() != request.objects_size())
    throw Error(Status::Internal("the API answered " + std::to_string(response.results_size()) + " of " +
                                 std::to_string(request.objects_size()) + " status updates"));
  std::vector<std::pair<Status, std::string>> out;
  for (auto& r : *response.mutable_results())
    out.emplace_back(Status{r.code(), r.reason(), r.message()}, std::move(*r.mutable_object()));
  return out;
}

std::vector<Status> ApiClient::bind_many(const std::vector<Binding>& bindings) const {
  apiserver::v1::BindManyRequest request;
  for (const auto& b : bindings) {
    auto* binding = request.add_bindings();
    binding->set_namespace_(b.namespace_);
    binding->set_pod(b.pod);
    binding->set_node(b.node);
    binding->set_uid(b.uid);
  }
  auto response = sdk::call<apiserver::v1::BindManyResponse>(bus_, subjects_.api("bindmany"), request, timeout_);
  if (response.results_size() != request.bindings_size())
    throw Error(Status::Internal("the API answered " + std::to_string(response.results_size()) + " of " +
                                 std::to_string(request.bindings_size()) + " bindings"));
  std::vector<Status> out;
  for (const auto& r : response.results()) out.push_back({r.code(), r.reason(), r.message()});
  return out;
}

api::authentication::v1::TokenRequest ApiClient::request_token(const std::string& ns, const std::string& account,
                                                               const api::authentication::v1::TokenRequest& request) const {
  return parse<api::authentication::v1::TokenRequest>(
      write("create", *find_resource("serviceaccounts"), ns, account, "token", request.SerializeAsString()));
}

}  // namespace skiff::sdk
