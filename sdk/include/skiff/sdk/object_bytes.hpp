// Reading and stamping serialized API objects without knowing their type: every API message
// keeps ObjectMeta at field number 1, and Protobuf merges repeated occurrences of a message field.
#pragma once

#include <string>
#include <string_view>

namespace skiff::api::meta::v1 {
class ObjectMeta;
}

namespace skiff::sdk {

// Parses only the metadata of a serialized object; false if the bytes are not a message.
bool read_object_meta(std::string_view object, api::meta::v1::ObjectMeta* meta);

// Returns `object` with metadata.uid and metadata.resourceVersion set (appends a metadata
// fragment that overrides earlier values when parsed).
std::string stamp_object(std::string_view object, std::string_view uid, std::string_view resource_version);

// A random RFC 4122 version 4 UUID.
std::string new_uid();

}  // namespace skiff::sdk
