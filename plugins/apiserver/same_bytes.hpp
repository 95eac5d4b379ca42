// Message equality by deterministic serialization (map entries sorted): equal bytes mean
// equal messages, at a fraction of the cost of MessageDifferencer's reflection walk and of
// the copies comparing with exceptions needs. Used on the update path, which runs for every
// status write.
#pragma once

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include <string>

namespace skiff::apiserver {

inline std::string deterministic_bytes(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }  // the stream flushes into `out` here
  return out;
}

inline bool same_bytes(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return deterministic_bytes(a) == deterministic_bytes(b);
}

}  // namespace skiff::apiserver
