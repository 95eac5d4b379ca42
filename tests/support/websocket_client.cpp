#include "websocket_client.hpp"

#include <cstdint>
#include <random>

namespace skiff::test {

UpgradeClient::Headers WebSocketClient::upgrade_headers(const std::string& subprotocols) {
  UpgradeClient::Headers headers = {{"Connection", "Upgrade"},
                                    {"Upgrade", "websocket"},
                                    {"Sec-WebSocket-Version", "13"},
                                    {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};  // RFC 6455's sample nonce
  if (!subprotocols.empty()) headers.emplace_back("Sec-WebSocket-Protocol", subprotocols);
  return headers;
}

bool WebSocketClient::send(int opcode, std::string_view payload) {
  static thread_local std::mt19937 random(std::random_device{}());
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode));
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xffff) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((payload.size() >> shift) & 0xff));
  }
  char mask[4];
  for (char& byte : mask) byte = static_cast<char>(random() & 0xff);
  frame.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) frame.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return connection_.write(frame);
}

std::optional<WebSocketClient::Message> WebSocketClient::next(UpgradeClient::Clock::time_point deadline) {
  Message message;
  bool first = true;
  while (true) {
    // The whole frame before taking any of it, so that a deadline never splits one.
    if (!connection_.has(2, deadline)) return std::nullopt;
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(connection_.peek()[i]); };
    std::uint64_t length = byte(1) & 0x7f;
    std::size_t header = length == 126 ? 4 : length == 127 ? 10 : 2;  // a server's frames are never masked
    if (!connection_.has(header, deadline)) return std::nullopt;
    if (header > 2) {
      length = 0;
      for (std::size_t i = 2; i < header; ++i) length = (length << 8) | byte(i);
    }
    if (!connection_.has(header + length, deadline)) return std::nullopt;
    bool fin = byte(0) & 0x80;
    int opcode = byte(0) & 0x0f;
    std::string frame;
    connection_.read_exactly(header + length, deadline, frame);
    std::string payload = frame.substr(header);
    if (opcode == Ping) {
      send(Pong, payload);
      continue;
    }
    if (opcode == Pong) continue;
    if (first) message.opcode = opcode;
    first = false;
    message.payload += payload;
    if (fin || opcode == Close) return message;
  }
}

}  // namespace skiff::test
