// Ownership of create, update and patch (operation Update): the writer takes every field it
// adds or changes, from whoever owned it; fields it removes are nobody's any more.
#pragma once

#include <functional>
#include <string>

#include <google/protobuf/message.h>

#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {

// For WriteOptions::track_fields: records the write under `manager` (operation Update).
std::function<void(const google::protobuf::Message* old, google::protobuf::Message& next)> track_update_fields(
    const sdk::ResourceType& type, std::string manager, std::string subresource);

}  // namespace skiff::apiserver
