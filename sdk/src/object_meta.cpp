// Reflection access to field 1 of an API object (checked by the registry tests).
#include "skiff/sdk/object_meta.hpp"

#include <google/protobuf/message.h>

#include "skiff/api/meta/v1/meta.pb.h"

namespace skiff::sdk {

const api::meta::v1::ObjectMeta& meta_of(const google::protobuf::Message& object) {
  const auto* field = object.GetDescriptor()->field(0);
  return static_cast<const api::meta::v1::ObjectMeta&>(object.GetReflection()->GetMessage(object, field));
}

api::meta::v1::ObjectMeta* mutable_meta_of(google::protobuf::Message& object) {
  const auto* field = object.GetDescriptor()->field(0);
  return static_cast<api::meta::v1::ObjectMeta*>(object.GetReflection()->MutableMessage(&object, field));
}

void strip_managed_fields(google::protobuf::Message& object) { mutable_meta_of(object)->clear_managed_fields(); }

}  // namespace skiff::sdk
