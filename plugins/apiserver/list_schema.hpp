// How a field of an API message merges, for the strategic merge patch and server-side apply
// alike: the one table is the proto options merge_key / merge_primitives (see options.proto).
#pragma once

#include <string>
#include <string_view>

namespace google::protobuf {
class Descriptor;
class FieldDescriptor;
}  // namespace google::protobuf

namespace skiff::apiserver {

enum class ListKind {
  Atomic,  // replaced whole (lists without a merge key)
  Keyed,   // elements matched by their merge key (containers by name …)
  Set,     // scalars merged as a set (finalizers)
};

ListKind list_kind(const google::protobuf::FieldDescriptor* field);
// The merge key of a keyed list ("" for any other field).
const std::string& merge_key_of(const google::protobuf::FieldDescriptor* field);

// The field of `type` with this Kubernetes JSON name; nullptr when there is none (or no type).
const google::protobuf::FieldDescriptor* field_by_json_name(const google::protobuf::Descriptor* type,
                                                            std::string_view name);

// Messages Kubernetes' schemas mark atomic (+structType=atomic): set and replaced whole,
// owned as one field by server-side apply.
bool is_atomic_message(const google::protobuf::Descriptor* type);
// Maps Kubernetes marks atomic (+mapType=atomic), such as a pod's nodeSelector.
bool is_atomic_map(const google::protobuf::FieldDescriptor* field);

}  // namespace skiff::apiserver
