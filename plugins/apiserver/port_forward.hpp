// pods/portforward's three protocols and what they share. kubectl up to 1.30 (and later ones
// as a fallback) speak SPDY/3.1 with portforward.k8s.io; kubectl 1.31+ carries that same SPDY
// in WebSocket binary messages (subprotocol SPDY/3.1+portforward.k8s.io); other clients (the
// Python client) speak the kubelet's WebSocket channels (v4.channel.k8s.io): per port of
// ?ports= a data channel and an error channel.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http_names.hpp"
#include "skiff/sdk/chunk_stream.hpp"

namespace skiff::apiserver {

// What a protocol needs of the pod: connections to its ports, and how errors name it.
struct PortForwardTarget {
  std::string pod;  // "pod default/web, uid 1234"
  // A new connection to `port` inside the pod, through its kubelet and runtime; throws
  // sdk::Error saying why there is none.
  std::function<std::unique_ptr<sdk::ChunkStream>(int port)> connect;

  // Kubernetes' words on a port's error stream: "error forwarding port 9999 to pod …: why".
  std::string error_text(int port, const std::string& why) const {
    return "error forwarding port " + std::to_string(port) + " to " + pod + ": " + why;
  }
};

struct PortForwardProtocol {
  enum Kind { Spdy, SpdyInWebSocket, WebSocketChannels } kind = Spdy;
  std::string subprotocol;  // the WebSocket subprotocol agreed on ("" when the client offered none)
  bool base64 = false;      // v4.base64.channel.k8s.io: text messages, payloads in base64
  std::vector<int> ports;   // WebSocketChannels: the ?ports= asked for, in order
};

// What the request asks for; throws ApiError (400) naming what is wrong, before anything is sent.
PortForwardProtocol choose_port_forward_protocol(const HttpRequest& request);
// "spdy", "websocket-tunnel" or "websocket": the metric's label.
const char* protocol_label(const PortForwardProtocol& protocol);

// Serves kubectl's SPDY streams (on the upgraded connection or the tunnel) until the client leaves.
void serve_spdy_port_forward(ByteStream& connection, const PortForwardTarget& target);
// Serves the channels on the upgraded connection until the client leaves or every port's
// connection has ended (then closes the WebSocket, as the kubelet does).
void serve_channel_port_forward(HttpResponder& connection, bool base64, const std::vector<int>& ports,
                                const PortForwardTarget& target);

}  // namespace skiff::apiserver
