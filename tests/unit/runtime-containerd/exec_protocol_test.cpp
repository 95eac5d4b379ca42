// The exec side of containerd's streaming server: the status on the error stream read as an
// exit code, the streaming URL, and SPDY/3.1 frames as a SPDY peer reads them.
#include <gtest/gtest.h>
#include <zlib.h>

#include "exec_status.hpp"
#include "remote_command.hpp"
#include "skiff/sdk/status.hpp"
#include "spdy_frames.hpp"

namespace {

using namespace skiff::containerd;

TEST(ExecStatus, SuccessAndEmptyAreExitCodeZero) {
  EXPECT_EQ(parse_exec_status(R"({"metadata":{},"status":"Success"})").exit_code, 0);
  EXPECT_EQ(parse_exec_status("").exit_code, 0);
}

TEST(ExecStatus, NonZeroExitCodeComesFromItsCause) {
  auto outcome = parse_exec_status(
      R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 4",)"
      R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"4"}]}})");
  EXPECT_EQ(outcome.exit_code, 4);
  EXPECT_EQ(outcome.failure, "");
}

TEST(ExecStatus, ACommandThatCannotRunIs127Or126WithTheMessage) {
  auto missing = parse_exec_status(
      R"({"status":"Failure","message":"OCI runtime exec failed: exec: \"nope\": executable file not found in $PATH"})");
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.failure.find("executable file not found"), std::string::npos);
  auto denied = parse_exec_status(R"({"status":"Failure","message":"permission denied"})");
  EXPECT_EQ(denied.exit_code, 126);
  EXPECT_EQ(parse_exec_status("plain text error").exit_code, 126);
}

TEST(StreamUrl, SplitsHostPortAndTarget) {
  auto url = parse_stream_url("http://127.0.0.1:40123/exec/Ab3dE");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, "40123");
  EXPECT_EQ(url.target, "/exec/Ab3dE");
  EXPECT_EQ(parse_stream_url("http://[::1]:5/exec/x").host, "::1");
  EXPECT_THROW(parse_stream_url("https://127.0.0.1:1/exec/x"), skiff::sdk::Error);
  EXPECT_THROW(parse_stream_url("http://127.0.0.1/exec/x"), skiff::sdk::Error);
}

// What a SPDY peer gets from a header block: zlib-inflated, the pairs.
std::string inflate_all(const std::string& compressed) {
  z_stream z{};
  inflateInit(&z);
  std::string out(4096, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&z, Z_SYNC_FLUSH);
  EXPECT_TRUE(rc == Z_OK || rc == Z_STREAM_END) << rc;
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

TEST(SpdyFrames, SynStreamCarriesTheStreamIdAndACompressedHeaderBlock) {
  spdy::HeaderCompressor compressor;
  std::string frame = spdy::syn_stream(3, 0, compressor.compress({{"streamtype", "stdin"}}));
  unsigned char header[8];
  std::copy_n(frame.data(), 8, reinterpret_cast<char*>(header));
  auto h = spdy::parse_frame_header(header);
  EXPECT_TRUE(h.control);
  EXPECT_EQ(h.type, static_cast<std::uint16_t>(spdy::ControlType::SynStream));
  EXPECT_EQ(h.length, frame.size() - 8);
  EXPECT_EQ(static_cast<unsigned char>(frame[0]), 0x80);
  EXPECT_EQ(frame[1], 3) << "SPDY version 3";
  std::string payload = frame.substr(8);
  EXPECT_EQ(spdy::read_u32(payload, 0), 3u);
  EXPECT_EQ(spdy::read_u32(payload, 4), 0u);
  EXPECT_EQ(inflate_all(payload.substr(10)), spdy::header_block({{"streamtype", "stdin"}}));
}

TEST(SpdyFrames, HeaderBlockIsCountThenLengthPrefixedPairs) {
  std::string block = spdy::header_block({{"ab", "c"}});
  EXPECT_EQ(block, std::string("\0\0\0\1\0\0\0\2ab\0\0\0\1c", 15));
}

TEST(SpdyFrames, DataFramesCarryTheFinFlagAndLength) {
  std::string frame = spdy::data_frame(5, spdy::kFlagFin, "hey");
  unsigned char header[8];
  std::copy_n(frame.data(), 8, reinterpret_cast<char*>(header));
  auto h = spdy::parse_frame_header(header);
  EXPECT_FALSE(h.control);
  EXPECT_EQ(h.stream_id, 5u);
  EXPECT_EQ(h.flags, spdy::kFlagFin);
  EXPECT_EQ(h.length, 3u);
  EXPECT_EQ(frame.substr(8), "hey");
}

TEST(SpdyFrames, PingEchoesItsId) {
  std::string frame = spdy::ping_frame(0x01020304);
  EXPECT_EQ(frame.size(), 12u);
  EXPECT_EQ(spdy::read_u32(frame.substr(8), 0), 0x01020304u);
}

}  // namespace
