// Generic types for custom resources, made on first use and kept for the process's life
// (watch subscriptions hold pointers to them).
#include "skiff/sdk/custom_resource_types.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "skiff/api/apiextensions/v1/apiextensions.pb.h"

namespace skiff::sdk {

const ResourceType* find_custom_resource(std::string_view resource) {
  auto dot = resource.find('.');
  if (dot == std::string_view::npos || dot == 0) return nullptr;
  std::string_view group = resource.substr(dot + 1);
  if (group.find('.') == std::string_view::npos) return nullptr;
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<ResourceType>, std::less<>> types;
  std::lock_guard lock(mutex);
  if (auto it = types.find(resource); it != types.end()) return it->second.get();
  auto type = std::make_unique<ResourceType>();
  type->group = std::string(group);
  type->plural = std::string(resource.substr(0, dot));
  type->kind = type->plural;  // the watch subject's last token
  type->singular = type->plural;
  type->namespaced = true;
  type->descriptor = api::apiextensions::v1::CustomResourceObject::descriptor();
  return types.emplace(std::string(resource), std::move(type)).first->second.get();
}

const ResourceType* find_resource_or_custom(std::string_view resource) {
  if (const ResourceType* type = find_resource(resource)) return type;
  return find_custom_resource(resource);
}

bool is_custom_resource(const ResourceType& type) {
  return type.descriptor == api::apiextensions::v1::CustomResourceObject::descriptor();
}

}  // namespace skiff::sdk
