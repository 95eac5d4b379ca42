// The API's resource types: group, version, kind, plural, scope and their Protobuf message.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace skiff::sdk {

struct ResourceType {
  std::string group;  // "" for the core group, "apps", "networking.k8s.io"
  std::string version;
  std::string kind;
  std::string plural;
  std::string singular;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  const google::protobuf::Descriptor* descriptor = nullptr;

  // "v1" or "apps/v1"
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // "pods" or "deployments.apps": the store's key prefix, like etcd's /registry/<resource>
  std::string resource() const { return group.empty() ? plural : plural + "." + group; }
  std::unique_ptr<google::protobuf::Message> new_object() const;
};

// Every built-in type, in a stable order.
const std::vector<ResourceType>& resource_types();
const ResourceType* find_resource_by_kind(std::string_view group, std::string_view kind);
const ResourceType* find_resource_by_plural(std::string_view group, std::string_view plural);
// By the store key prefix ("pods", "deployments.apps").
const ResourceType* find_resource(std::string_view resource);
// By the Protobuf message type of its objects.
const ResourceType* find_resource_by_descriptor(const google::protobuf::Descriptor* descriptor);

// Typed lookup: resource_type_of<core::v1::Pod>().
template <class T>
const ResourceType& resource_type_of() {
  static const ResourceType* type = find_resource_by_descriptor(T::descriptor());
  return *type;
}

}  // namespace skiff::sdk
