// Reading SPDY/3 header blocks: one zlib stream per direction of a connection, primed with
// SPDY/3's dictionary, each block a count then length-prefixed name/value pairs. kubectl's
// port-forward streams say in them which port and request they belong to.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <zlib.h>

namespace skiff::apiserver {

// SPDY/3's zlib dictionary (draft 3, section 2.6.10.1), 1423 bytes.
const std::string& spdy3_dictionary();

class SpdyHeaderReader {
 public:
  SpdyHeaderReader();
  ~SpdyHeaderReader();
  SpdyHeaderReader(const SpdyHeaderReader&) = delete;
  SpdyHeaderReader& operator=(const SpdyHeaderReader&) = delete;

  // The next block's headers, names lowercased (several values of one name joined by NUL, as
  // SPDY sends them). Throws std::runtime_error on a block that does not decode: the stream is
  // then out of step and the connection should end.
  std::map<std::string, std::string> read(std::string_view compressed);

 private:
  std::string inflate_block(std::string_view compressed);

  z_stream inflate_{};
};

}  // namespace skiff::apiserver
