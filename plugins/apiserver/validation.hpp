// Validation as Kubernetes does it for the built-in types; failures are 422 with one cause per field.
#pragma once

#include <string>

#include "skiff/sdk/resources.hpp"

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// Validates `object` (after defaulting). `old` is the stored object on an update, nullptr on
// create. Throws ApiError (422 Invalid) listing every problem.
void validate(const sdk::ResourceType& type, const google::protobuf::Message& object,
              const google::protobuf::Message* old);

bool is_dns1123_label(const std::string& name);
bool is_dns1123_subdomain(const std::string& name);
bool is_dns1035_label(const std::string& name);

}  // namespace skiff::apiserver
