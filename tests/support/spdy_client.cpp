#include "spdy_client.hpp"

#include <stdexcept>

namespace skiff::test {
namespace {

void put32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

void put24(std::string& out, std::size_t value) {
  for (int shift = 16; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::uint32_t read32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = at; i < at + 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

SpdyClient::SpdyClient(Transport transport, const std::string& dictionary) : transport_(std::move(transport)) {
  if (deflateInit(&deflate_, Z_DEFAULT_COMPRESSION) != Z_OK ||
      deflateSetDictionary(&deflate_, reinterpret_cast<const Bytef*>(dictionary.data()), static_cast<uInt>(dictionary.size())) != Z_OK)
    throw std::runtime_error("spdy client: zlib refused SPDY/3's dictionary");
}

SpdyClient::~SpdyClient() { deflateEnd(&deflate_); }

bool SpdyClient::send_control(int type, int flags, const std::string& body) {
  std::string frame = {static_cast<char>(0x80), 3, static_cast<char>(type >> 8), static_cast<char>(type & 0xff),
                       static_cast<char>(flags)};
  put24(frame, body.size());
  return transport_.write(frame + body);
}

std::uint32_t SpdyClient::open_stream(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string block;
  put32(block, static_cast<std::uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    put32(block, static_cast<std::uint32_t>(name.size()));
    block += name;
    put32(block, static_cast<std::uint32_t>(value.size()));
    block += value;
  }
  std::string compressed(block.size() + 128, '\0');
  deflate_.next_in = reinterpret_cast<Bytef*>(block.data());
  deflate_.avail_in = static_cast<uInt>(block.size());
  deflate_.next_out = reinterpret_cast<Bytef*>(compressed.data());
  deflate_.avail_out = static_cast<uInt>(compressed.size());
  deflate(&deflate_, Z_SYNC_FLUSH);  // as Go's framer: each block readable on its own
  compressed.resize(compressed.size() - deflate_.avail_out);

  std::uint32_t id = next_stream_;
  next_stream_ += 2;
  std::string body;
  put32(body, id);
  put32(body, 0);     // associated stream
  body += std::string(2, '\0');  // priority and slot
  send_control(1, 0, body + compressed);
  return id;
}

bool SpdyClient::data(std::uint32_t stream_id, std::string_view payload, bool fin) {
  std::string frame;
  put32(frame, stream_id & 0x7fffffff);
  frame.push_back(static_cast<char>(fin ? kFin : 0));
  put24(frame, payload.size());
  frame.append(payload);
  return transport_.write(frame);
}

bool SpdyClient::ping(std::uint32_t id) {
  std::string body;
  put32(body, id);
  return send_control(kPing, 0, body);
}

std::optional<SpdyClient::Frame> SpdyClient::next(Clock::time_point deadline) {
  auto whole = [&](std::size_t size) {
    while (buffer_.size() < size)
      if (!transport_.receive(buffer_, deadline)) return false;
    return true;
  };
  if (!whole(8)) return std::nullopt;
  std::size_t length = read32(buffer_, 4) & 0xffffff;
  if (!whole(8 + length)) return std::nullopt;
  Frame frame;
  frame.control = static_cast<unsigned char>(buffer_[0]) & 0x80;
  frame.flags = static_cast<unsigned char>(buffer_[4]);
  frame.payload = buffer_.substr(8, length);
  if (frame.control) {
    frame.type = static_cast<int>(read32(buffer_, 0) & 0xffff);
    if (frame.type == kSynReply || frame.type == kRstStream) frame.stream_id = read32(frame.payload, 0) & 0x7fffffff;
  } else {
    frame.stream_id = read32(buffer_, 0) & 0x7fffffff;
  }
  buffer_.erase(0, 8 + length);
  return frame;
}

}  // namespace skiff::test
