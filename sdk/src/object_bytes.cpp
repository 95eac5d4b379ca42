// Tag-level scanning of serialized objects: fast, and independent of the object's type.
#include "skiff/sdk/object_bytes.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "skiff/api/meta/v1/meta.pb.h"

namespace skiff::sdk {

namespace pb = google::protobuf;
using pb::internal::WireFormatLite;

bool read_object_meta(std::string_view object, api::meta::v1::ObjectMeta* meta) {
  pb::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(object.data()), static_cast<int>(object.size()));
  meta->Clear();
  while (uint32_t tag = input.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == 1 &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length;
      if (!input.ReadVarint32(&length)) return false;
      auto limit = input.PushLimit(static_cast<int>(length));
      if (!meta->MergeFromCodedStream(&input) || !input.ConsumedEntireMessage()) return false;
      input.PopLimit(limit);
    } else if (!WireFormatLite::SkipField(&input, tag)) {
      return false;
    }
  }
  return input.ConsumedEntireMessage();
}

std::string stamp_object(std::string_view object, std::string_view uid, std::string_view resource_version) {
  api::meta::v1::ObjectMeta fragment;
  fragment.set_uid(std::string(uid));
  fragment.set_resource_version(std::string(resource_version));
  std::string out(object);
  std::string body = fragment.SerializeAsString();
  pb::io::StringOutputStream stream(&out);
  {
    pb::io::CodedOutputStream output(&stream);
    output.WriteTag(WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    output.WriteVarint32(static_cast<uint32_t>(body.size()));
    output.WriteRaw(body.data(), static_cast<int>(body.size()));
  }
  return out;
}

std::string new_uid() {
  thread_local boost::uuids::random_generator generate;
  return boost::uuids::to_string(generate());
}

}  // namespace skiff::sdk
