// ObjectMeta of any API object, through reflection: every API message keeps it at field 1.
#pragma once

namespace google::protobuf {
class Message;
}
namespace skiff::api::meta::v1 {
class ObjectMeta;
}

namespace skiff::sdk {

const api::meta::v1::ObjectMeta& meta_of(const google::protobuf::Message& object);
api::meta::v1::ObjectMeta* mutable_meta_of(google::protobuf::Message& object);

// An informer transform (client-go's TransformStripManagedFields): controllers never read
// managedFields, and they are a large share of a cached object (one entry per writer, each
// with the JSON set of its fields). Updates made from a stripped copy keep the stored ones.
void strip_managed_fields(google::protobuf::Message& object);

}  // namespace skiff::sdk
