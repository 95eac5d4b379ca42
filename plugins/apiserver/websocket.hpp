// Server side of RFC 6455 on an upgraded HTTP connection: the handshake answer and framing
// (client frames arrive masked and maybe fragmented; pings are answered here). Enough for
// the channel.k8s.io protocols of exec and port-forward and for port-forward's SPDY tunnel;
// no extensions (kubectl asks for none).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "http_names.hpp"

namespace skiff::apiserver {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string websocket_accept(std::string_view key);

class WebSocket {
 public:
  enum Opcode : unsigned char { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

  struct Message {
    Opcode opcode = Binary;  // Text or Binary
    std::string payload;
  };

  explicit WebSocket(ByteStream& connection) : connection_(connection) {}

  // The next text or binary message; nothing once the peer closed or the connection broke.
  std::optional<Message> read_message();
  // The next message's payload, text or binary alike.
  std::optional<std::string> read();
  // Safe from several threads.
  bool write(Opcode opcode, std::string_view payload);
  // Sends a close frame (1000, normal) once.
  void close();

 private:
  ByteStream& connection_;
  std::mutex write_mutex_;
  bool closed_ = false;
};

}  // namespace skiff::apiserver
