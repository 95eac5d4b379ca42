#include "spdy_frames.hpp"

#include <stdexcept>

namespace skiff::containerd::spdy {

namespace {

void put_u32(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

// flags (8 bits) and length (24 bits), as both kinds of frame end their header.
void put_flags_length(std::string& out, std::uint8_t flags, std::size_t length) {
  if (length > 0xffffff) throw std::length_error("SPDY frame longer than 16 MiB");
  put_u32(out, (static_cast<std::uint32_t>(flags) << 24) | static_cast<std::uint32_t>(length));
}

std::string control_frame(ControlType type, std::uint8_t flags, const std::string& payload) {
  std::string out;
  out.push_back(static_cast<char>(0x80 | (kVersion >> 8)));
  out.push_back(static_cast<char>(kVersion & 0xff));
  out.push_back(static_cast<char>(static_cast<std::uint16_t>(type) >> 8));
  out.push_back(static_cast<char>(static_cast<std::uint16_t>(type) & 0xff));
  put_flags_length(out, flags, payload.size());
  return out + payload;
}

}  // namespace

FrameHeader parse_frame_header(const unsigned char (&b)[8]) {
  FrameHeader h;
  h.control = (b[0] & 0x80) != 0;
  if (h.control) h.type = static_cast<std::uint16_t>((b[2] << 8) | b[3]);
  else h.stream_id = (static_cast<std::uint32_t>(b[0] & 0x7f) << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
  h.flags = b[4];
  h.length = (static_cast<std::uint32_t>(b[5]) << 16) | (b[6] << 8) | b[7];
  return h;
}

HeaderCompressor::HeaderCompressor() {
  if (deflateInit(&zlib_, Z_DEFAULT_COMPRESSION) != Z_OK) throw std::runtime_error("zlib deflateInit failed");
}

HeaderCompressor::~HeaderCompressor() { deflateEnd(&zlib_); }

std::string HeaderCompressor::compress(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string in = header_block(headers);
  std::string out(in.size() + 64, '\0');
  zlib_.next_in = reinterpret_cast<Bytef*>(in.data());
  zlib_.avail_in = static_cast<uInt>(in.size());
  std::size_t produced = 0;
  do {
    if (produced == out.size()) out.resize(out.size() * 2);
    zlib_.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zlib_.avail_out = static_cast<uInt>(out.size() - produced);
    if (deflate(&zlib_, Z_SYNC_FLUSH) == Z_STREAM_ERROR) throw std::runtime_error("zlib deflate failed");
    produced = out.size() - zlib_.avail_out;
  } while (zlib_.avail_out == 0);
  out.resize(produced);
  return out;
}

std::string header_block(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(headers.size()));
  for (const auto& [name, value] : headers) {
    put_u32(out, static_cast<std::uint32_t>(name.size()));
    out += name;
    put_u32(out, static_cast<std::uint32_t>(value.size()));
    out += value;
  }
  return out;
}

std::string syn_stream(std::uint32_t stream_id, std::uint8_t flags, const std::string& compressed_headers) {
  std::string payload;
  put_u32(payload, stream_id & 0x7fffffff);
  put_u32(payload, 0);        // associated stream: none
  payload.push_back('\0');    // priority 0 (highest)
  payload.push_back('\0');    // slot
  return control_frame(ControlType::SynStream, flags, payload + compressed_headers);
}

std::string data_frame(std::uint32_t stream_id, std::uint8_t flags, std::string_view data) {
  std::string out;
  put_u32(out, stream_id & 0x7fffffff);
  put_flags_length(out, flags, data.size());
  out.append(data);
  return out;
}

std::string ping_frame(std::uint32_t id) {
  std::string payload;
  put_u32(payload, id);
  return control_frame(ControlType::Ping, 0, payload);
}

std::uint32_t read_u32(std::string_view p, std::size_t offset) {
  if (p.size() < offset + 4) return 0;
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(p[offset + i])); };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

}  // namespace skiff::containerd::spdy
