// Reads the merge table from the proto options; the few atomic types are Kubernetes' own markers.
#include "list_schema.hpp"

#include <google/protobuf/descriptor.h>

#include <string_view>

#include "skiff/api/options.pb.h"

namespace skiff::apiserver {

namespace pb = google::protobuf;

const std::string& merge_key_of(const pb::FieldDescriptor* field) {
  static const std::string none;
  if (!field || !field->is_repeated() || field->is_map()) return none;
  return field->options().GetExtension(api::merge_key);
}

ListKind list_kind(const pb::FieldDescriptor* field) {
  if (!merge_key_of(field).empty() && field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) return ListKind::Keyed;
  if (field && field->options().GetExtension(api::merge_primitives)) return ListKind::Set;
  return ListKind::Atomic;
}

const pb::FieldDescriptor* field_by_json_name(const pb::Descriptor* type, std::string_view name) {
  if (!type) return nullptr;
  for (int i = 0; i < type->field_count(); ++i)
    if (type->field(i)->json_name() == name) return type->field(i);
  return nullptr;
}

bool is_atomic_message(const pb::Descriptor* type) {
  // metav1.LabelSelector is +structType=atomic: a Deployment's selector is one field.
  return type && type->full_name() == "skiff.api.meta.v1.LabelSelector";
}

bool is_atomic_map(const pb::FieldDescriptor* field) {
  return field && field->is_map() && field->name() == "node_selector";
}

}  // namespace skiff::apiserver
