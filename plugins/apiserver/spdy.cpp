#include "spdy.hpp"

#include <stdexcept>

namespace skiff::apiserver {
namespace {

constexpr std::uint16_t kVersion = 3;

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

}  // namespace

SpdyConnection::SpdyConnection(ByteStream& connection) : connection_(connection) {
  if (deflateInit(&deflate_, Z_DEFAULT_COMPRESSION) != Z_OK) throw std::runtime_error("spdy: zlib deflateInit failed");
}

SpdyConnection::~SpdyConnection() { deflateEnd(&deflate_); }

std::optional<SpdyConnection::Frame> SpdyConnection::read() {
  unsigned char header[8];
  if (!read_exactly(connection_, header, sizeof header)) return std::nullopt;
  Frame frame;
  frame.control = header[0] & 0x80;
  frame.flags = header[4];
  std::uint32_t length = (std::uint32_t{header[5]} << 16) | (std::uint32_t{header[6]} << 8) | header[7];
  if (frame.control) frame.type = static_cast<std::uint16_t>((header[2] << 8) | header[3]);
  else frame.stream_id = be32(header) & 0x7fffffff;
  frame.payload.resize(length);
  if (length > 0 && !read_exactly(connection_, frame.payload.data(), length)) return std::nullopt;
  // Control frames that name a stream carry it first in their body.
  if (frame.control && (frame.type == kSynStream || frame.type == kRstStream) && length >= 4)
    frame.stream_id = be32(reinterpret_cast<const unsigned char*>(frame.payload.data())) & 0x7fffffff;
  // After the ids, priority and slot; every block must be read to keep the zlib stream in step.
  constexpr std::size_t kSynStreamPrefix = 10;
  if (frame.control && frame.type == kSynStream && length > kSynStreamPrefix)
    frame.headers = header_reader_.read(std::string_view(frame.payload).substr(kSynStreamPrefix));
  return frame;
}

std::string SpdyConnection::compress_headers(const std::string& block) {
  std::string out(block.size() + 64, '\0');
  deflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
  deflate_.avail_in = static_cast<uInt>(block.size());
  deflate_.next_out = reinterpret_cast<Bytef*>(out.data());
  deflate_.avail_out = static_cast<uInt>(out.size());
  // One zlib stream for the connection; each block ends on a sync flush so it can be read alone.
  if (deflate(&deflate_, Z_SYNC_FLUSH) != Z_OK) throw std::runtime_error("spdy: zlib deflate failed");
  out.resize(out.size() - deflate_.avail_out);
  return out;
}

bool SpdyConnection::send_control(std::uint16_t type, std::uint8_t flags, const std::string& body) {
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | (kVersion >> 8)));
  frame.push_back(static_cast<char>(kVersion & 0xff));
  frame.push_back(static_cast<char>(type >> 8));
  frame.push_back(static_cast<char>(type & 0xff));
  frame.push_back(static_cast<char>(flags));
  frame.push_back(static_cast<char>((body.size() >> 16) & 0xff));
  frame.push_back(static_cast<char>((body.size() >> 8) & 0xff));
  frame.push_back(static_cast<char>(body.size() & 0xff));
  frame += body;
  return connection_.write_raw(frame.data(), frame.size());
}

bool SpdyConnection::syn_reply(std::uint32_t stream_id) {
  std::lock_guard lock(write_mutex_);
  std::string body;
  put32(body, stream_id & 0x7fffffff);
  body += compress_headers(std::string(4, '\0'));  // a header block of zero headers
  return send_control(kSynReply, 0, body);
}

bool SpdyConnection::data(std::uint32_t stream_id, std::string_view payload, bool fin) {
  std::lock_guard lock(write_mutex_);
  // A DATA frame holds at most 2^24-1 bytes; exec output chunks are far smaller, but split anyway.
  do {
    std::size_t n = std::min<std::size_t>(payload.size(), 0xffffff);
    bool last = n == payload.size();
    std::string frame;
    put32(frame, stream_id & 0x7fffffff);
    frame.push_back(static_cast<char>(last && fin ? kFin : 0));
    frame.push_back(static_cast<char>((n >> 16) & 0xff));
    frame.push_back(static_cast<char>((n >> 8) & 0xff));
    frame.push_back(static_cast<char>(n & 0xff));
    frame.append(payload.substr(0, n));
    if (!connection_.write_raw(frame.data(), frame.size())) return false;
    payload.remove_prefix(n);
  } while (!payload.empty());
  return true;
}

bool SpdyConnection::rst_stream(std::uint32_t stream_id, std::uint32_t status) {
  std::lock_guard lock(write_mutex_);
  std::string body;
  put32(body, stream_id & 0x7fffffff);
  put32(body, status);
  return send_control(kRstStream, 0, body);
}

bool SpdyConnection::ping(const std::string& body) {
  std::lock_guard lock(write_mutex_);
  return send_control(kPing, 0, body);
}

}  // namespace skiff::apiserver
