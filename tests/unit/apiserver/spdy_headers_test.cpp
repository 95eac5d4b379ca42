// SPDY/3 header blocks as kubectl's port-forward sends them: zlib primed with SPDY/3's
// dictionary, one stream for the connection, names read lowercased.
#include <gtest/gtest.h>

#include <zlib.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "spdy_headers.hpp"

namespace {

using skiff::apiserver::SpdyHeaderReader;
using skiff::apiserver::spdy3_dictionary;

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::string block_of(const std::map<std::string, std::string>& headers) {
  std::string block;
  put32(block, static_cast<std::uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    put32(block, static_cast<std::uint32_t>(name.size()));
    block += name;
    put32(block, static_cast<std::uint32_t>(value.size()));
    block += value;
  }
  return block;
}

// The sending side, as Go's spdy framer writes: one deflate stream, a sync flush per block.
class Sender {
 public:
  explicit Sender(const std::string& dictionary) {
    deflateInit(&z_, Z_DEFAULT_COMPRESSION);
    deflateSetDictionary(&z_, reinterpret_cast<const Bytef*>(dictionary.data()), static_cast<uInt>(dictionary.size()));
  }
  ~Sender() { deflateEnd(&z_); }
  std::string compress(const std::string& block) {
    std::string out(block.size() + 128, '\0');
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
    z_.avail_in = static_cast<uInt>(block.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    deflate(&z_, Z_SYNC_FLUSH);
    out.resize(out.size() - z_.avail_out);
    return out;
  }

 private:
  z_stream z_{};
};

TEST(SpdyHeaders, TheDictionaryIsSpdy3s) {
  EXPECT_EQ(spdy3_dictionary().size(), 1423u);
  EXPECT_EQ(spdy3_dictionary().substr(0, 11), std::string("\0\0\0\x07options", 11));
  EXPECT_EQ(spdy3_dictionary().substr(spdy3_dictionary().size() - 7), ",enq=0.");
}

TEST(SpdyHeaders, BlocksOfOneConnectionShareTheirZlibStream) {
  Sender kubectl(spdy3_dictionary());
  SpdyHeaderReader reader;
  auto error = reader.read(kubectl.compress(block_of({{"Streamtype", "error"}, {"Port", "8080"}, {"Requestid", "0"}})));
  EXPECT_EQ(error, (std::map<std::string, std::string>{{"port", "8080"}, {"requestid", "0"}, {"streamtype", "error"}}));
  auto data = reader.read(kubectl.compress(block_of({{"streamtype", "data"}, {"port", "8081"}, {"requestid", "1"}})));
  EXPECT_EQ(data["streamtype"], "data");
  EXPECT_EQ(data["port"], "8081");
  EXPECT_EQ(data["requestid"], "1");
  EXPECT_TRUE(reader.read(kubectl.compress(block_of({}))).empty());
}

TEST(SpdyHeaders, ABlockPrimedWithAnotherDictionaryIsRefused) {
  Sender stranger("not the spdy dictionary");
  SpdyHeaderReader reader;
  EXPECT_THROW(reader.read(stranger.compress(block_of({{"port", "80"}}))), std::runtime_error);
}

}  // namespace
