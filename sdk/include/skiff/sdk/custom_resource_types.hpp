// Custom resources as the store and the watch publisher see them: not in the built-in
// registry, named "<plural>.<group>" with a group that has a dot (as CRD groups must), and
// stored as api::apiextensions::v1::CustomResourceObject. Their scope is the CRD's business
// (the apiserver checks it); their watch events go to skiff.<c>.watch.<group>.<plural>.
#pragma once

#include <string_view>

#include "skiff/sdk/resources.hpp"

namespace skiff::sdk {

// The generic type of a custom resource ("widgets.example.com"), or nullptr when the name
// cannot be one (no group, or a group without a dot). The pointer stays valid forever.
const ResourceType* find_custom_resource(std::string_view resource);
// A built-in type, else the generic custom one, else nullptr.
const ResourceType* find_resource_or_custom(std::string_view resource);
bool is_custom_resource(const ResourceType& type);

}  // namespace skiff::sdk
