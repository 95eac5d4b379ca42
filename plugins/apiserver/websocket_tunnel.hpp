// A byte stream carried in WebSocket binary messages: how kubectl 1.31+ tunnels port-forward's
// SPDY/3.1 connection (subprotocol SPDY/3.1+portforward.k8s.io). Message boundaries mean
// nothing: the messages' bytes, joined, are the stream; each write is one message.
#pragma once

#include <string>

#include "http_names.hpp"
#include "websocket.hpp"

namespace skiff::apiserver {

class WebSocketTunnel final : public ByteStream {
 public:
  explicit WebSocketTunnel(WebSocket& socket) : socket_(socket) {}

  // 0 once the peer closed, the connection broke, or a text message came (a broken peer:
  // client-go's tunnel sends binary messages only).
  std::size_t read_raw(void* data, std::size_t size) override;
  bool write_raw(const void* data, std::size_t size) override;

 private:
  WebSocket& socket_;
  std::string pending_;  // what is left of the last message read
  std::size_t offset_ = 0;
  bool ended_ = false;
};

}  // namespace skiff::apiserver
