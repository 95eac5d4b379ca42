#include "websocket.hpp"

#include <cstdint>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace skiff::apiserver {

std::string websocket_accept(std::string_view key) {
  std::string text(key);
  text += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // the GUID of RFC 6455, section 1.3
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(encoded), static_cast<std::size_t>(n));
}

std::optional<std::string> WebSocket::read() {
  auto message = read_message();
  if (!message) return std::nullopt;
  return std::move(message->payload);
}

std::optional<WebSocket::Message> WebSocket::read_message() {
  Message message;
  bool first = true;
  while (true) {
    unsigned char header[2];
    if (!read_exactly(connection_, header, 2)) return std::nullopt;
    bool fin = header[0] & 0x80;
    auto opcode = static_cast<Opcode>(header[0] & 0x0f);
    bool masked = header[1] & 0x80;
    std::uint64_t length = header[1] & 0x7f;
    if (length == 126) {
      unsigned char ext[2];
      if (!read_exactly(connection_, ext, 2)) return std::nullopt;
      length = (std::uint64_t{ext[0]} << 8) | ext[1];
    } else if (length == 127) {
      unsigned char ext[8];
      if (!read_exactly(connection_, ext, 8)) return std::nullopt;
      length = 0;
      for (unsigned char b : ext) length = (length << 8) | b;
    }
    if (length > (16u << 20)) return std::nullopt;  // no exec input or SPDY frame is that large: a broken peer
    unsigned char mask[4] = {0, 0, 0, 0};
    if (masked && !read_exactly(connection_, mask, 4)) return std::nullopt;
    std::string payload(length, '\0');
    if (length > 0 && !read_exactly(connection_, payload.data(), length)) return std::nullopt;
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);

    switch (opcode) {
      case Ping:
        write(Pong, payload);
        continue;
      case Pong:
        continue;
      case Close:
        close();
        return std::nullopt;
      default:
        // A fragmented message's kind is its first frame's; the rest are continuations.
        if (first) message.opcode = opcode;
        first = false;
        message.payload += payload;
        if (fin) return message;
    }
  }
}

bool WebSocket::write(Opcode opcode, std::string_view payload) {
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode));
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(payload.size()));
  } else if (payload.size() <= 0xffff) {
    frame.push_back(static_cast<char>(126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    frame.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((payload.size() >> shift) & 0xff));
  }
  frame.append(payload);
  std::lock_guard lock(write_mutex_);
  if (closed_) return false;
  if (opcode == Close) closed_ = true;
  return connection_.write_raw(frame.data(), frame.size());
}

void WebSocket::close() { write(Close, std::string_view("\x03\xe8", 2)); }

}  // namespace skiff::apiserver
