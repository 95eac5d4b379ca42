// The client side of RFC 6455 for tests, on an UpgradeClient: masked frames out, whole
// messages in (close frames too, so a test sees how the server ended the session).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "upgrade_client.hpp"

namespace skiff::test {

class WebSocketClient {
 public:
  enum Opcode { Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };
  struct Message {
    int opcode = Binary;
    std::string payload;
  };

  // The headers of a WebSocket upgrade offering `subprotocols` (comma-separated; none when empty).
  static UpgradeClient::Headers upgrade_headers(const std::string& subprotocols);

  explicit WebSocketClient(UpgradeClient& connection) : connection_(connection) {}

  bool send(int opcode, std::string_view payload);
  // The next message; nothing at the deadline or the connection's end. Pings are answered.
  std::optional<Message> next(UpgradeClient::Clock::time_point deadline);

 private:
  UpgradeClient& connection_;
};

}  // namespace skiff::test
