// The batch verbs: many objects in one request and one store batch, each with its own result
// (a controller's bursts, a kubelet's pod status writes, the scheduler's bindings).
#include "api_error.hpp"
#include "bus_api.hpp"
#include "skiff/apiserver/v1/api.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::apiserver {
namespace {

const sdk::ResourceType& resource_named(const std::string& group, const std::string& resource) {
  const sdk::ResourceType* type = sdk::find_resource_by_plural(group, resource);
  if (!type) throw ApiError(sdk::Status::NotFound("the server could not find the requested resource"));
  return *type;
}

// Each object decoded, and checked (by the Node authorizer for a node's request) before any is written.
template <class Check>
std::vector<MessagePtr> decode_all(const sdk::ResourceType& type, const google::protobuf::RepeatedPtrField<std::string>& objects,
                                   const char* verb, Check check) {
  std::vector<MessagePtr> decoded;
  for (const auto& bytes : objects) {
    MessagePtr object(type.new_object().release());
    if (!object->ParseFromString(bytes))
      throw ApiError(sdk::Status::BadRequest(std::string(verb) + ": an object is not a valid " + type.kind));
    check(*object);
    decoded.push_back(std::move(object));
  }
  return decoded;
}

template <class Row>
void fill(Row& row, const sdk::Status& status) {
  row.set_code(status.code);
  row.set_reason(status.reason);
  row.set_message(status.message);
}

template <class Row>
void fill(Row& row, const sdk::Status& status, const MessagePtr& object) {
  fill(row, status);
  if (object) row.set_object(object->SerializeAsString());
}

}  // namespace

template <class Request, class Handler>
void BusApi::serve_for_cluster_and_nodes(sdk::Bus& bus, const sdk::Subjects& subjects, const char* verb, int workers,
                                         Handler handler) {
  for (int i = 0; i < std::max(1, workers); ++i) {
    subscriptions_.push_back(sdk::serve_proto<Request>(
        bus, subjects.cluster_api(verb), "apiserver",
        [handler](const Request& r, const sdk::Request&) { return handler(r, "", nullptr); }));
    subscriptions_.push_back(sdk::serve_proto<Request>(
        bus, subjects.node_api_any(verb), "apiserver", [this, handler, subjects](const Request& r, const sdk::Request& from) {
          return handler(r, subjects.node_of_api_subject(from.message().subject), &authorizer_);
        }));
  }
}

void BusApi::serve_batch_verbs(sdk::Bus& bus, const sdk::Subjects& subjects, ApiCore& api, int workers) {
  serve_for_cluster_and_nodes<v1::CreateManyRequest>(
      bus, subjects, "createmany", workers, [&api](const v1::CreateManyRequest& r, const std::string& node, NodeAuthorizer* authorizer) {
        const auto& type = resource_named(r.group(), r.resource());
        auto objects = decode_all(type, r.objects(), "createmany", [&](const google::protobuf::Message& object) {
          if (authorizer) authorizer->check(node, {"create", type, r.namespace_(), sdk::meta_of(object).name(), "", &object});
        });
        v1::CreateManyResponse response;
        for (const auto& created : api.create_many(type, r.namespace_(), std::move(objects)))
          fill(*response.add_results(), created.status, created.object);
        return response;
      });
  serve_for_cluster_and_nodes<v1::UpdateStatusManyRequest>(
      bus, subjects, "statusmany", workers,
      [&api](const v1::UpdateStatusManyRequest& r, const std::string& node, NodeAuthorizer* authorizer) {
        const auto& type = resource_named(r.group(), r.resource());
        auto objects = decode_all(type, r.objects(), "statusmany", [&](const google::protobuf::Message& object) {
          const auto& meta = sdk::meta_of(object);
          if (meta.name().empty()) throw ApiError(sdk::Status::BadRequest("statusmany: an object has no metadata.name"));
          if (authorizer) authorizer->check(node, {"update", type, meta.namespace_(), meta.name(), "status", &object});
        });
        WriteOptions options;
        options.field_manager = r.field_manager();
        v1::UpdateStatusManyResponse response;
        for (const auto& updated : api.update_status_many(type, std::move(objects), options))
          fill(*response.add_results(), updated.status, updated.object);
        return response;
      });
  // Only the schedulers bind: not on the nodes' subjects.
  for (int i = 0; i < std::max(1, workers); ++i)
    subscriptions_.push_back(sdk::serve_proto<v1::BindManyRequest>(
        bus, subjects.cluster_api("bindmany"), "apiserver", [&api](const v1::BindManyRequest& r, const sdk::Request&) {
          std::vector<ApiCore::Binding> bindings;
          bindings.reserve(r.bindings_size());
          for (const auto& b : r.bindings()) bindings.push_back({b.namespace_(), b.pod(), b.node(), b.uid()});
          v1::BindManyResponse response;
          for (const auto& status : api.bind_many(bindings)) fill(*response.add_results(), status);
          return response;
        }));
}

}  // namespace skiff::apiserver
