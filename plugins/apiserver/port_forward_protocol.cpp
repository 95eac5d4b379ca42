// Which of port-forward's protocols a request asks for, checked as Kubernetes checks it: the
// tunnel when a WebSocket subprotocol is SPDY/3.1+<…>.k8s.io, the kubelet's channels for any
// other WebSocket (with its ?ports=), SPDY/3.1 for the rest.
#include <algorithm>
#include <charconv>
#include <optional>

#include <boost/algorithm/string.hpp>

#include "api_error.hpp"
#include "port_forward.hpp"

namespace skiff::apiserver {
namespace {

constexpr std::string_view kTunnelPrefix = "SPDY/3.1+";
constexpr const char* kSpdyProtocol = "portforward.k8s.io";
constexpr const char* kChannels = "v4.channel.k8s.io";
constexpr const char* kBase64Channels = "v4.base64.channel.k8s.io";
// Each port takes two channels and a channel is one byte (255 is reserved).
constexpr std::size_t kMaxWebSocketPorts = 127;

bool is_tunnel(const std::string& subprotocol) {
  return boost::starts_with(subprotocol, kTunnelPrefix) && boost::ends_with(subprotocol, ".k8s.io");
}

// Go's strconv.ParseUint(text, 10, 16) and its error's words.
int parse_port(const std::string& list, const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  bool digits_only = !text.empty() && end == text.data() + text.size() && ec != std::errc::invalid_argument;
  std::string cause = !digits_only ? "invalid syntax" : (ec != std::errc() || value > 65535) ? "value out of range" : "";
  if (!cause.empty())
    throw ApiError(sdk::Status::BadRequest("unable to parse " + quoted(list) + " as a port: strconv.ParseUint: parsing " +
                                           quoted(text) + ": " + cause));
  if (value < 1) throw ApiError(sdk::Status::BadRequest("port " + quoted(list) + " must be > 0"));
  return static_cast<int>(value);
}

// The kubelet's V4Options: ?ports=8080,9090 or ?ports=8080&ports=9090.
std::vector<int> requested_ports(const HttpRequest& request) {
  auto lists = request.query_values("ports");
  if (lists.empty()) throw ApiError(sdk::Status::BadRequest("query parameter \"ports\" is required"));
  std::vector<int> ports;
  for (const auto& list : lists) {
    if (list.empty()) throw ApiError(sdk::Status::BadRequest("query parameter \"ports\" cannot be empty"));
    std::vector<std::string> parts;
    boost::split(parts, list, boost::is_any_of(","));
    for (const auto& part : parts) ports.push_back(parse_port(list, part));
  }
  if (ports.size() > kMaxWebSocketPorts)
    throw ApiError(sdk::Status::BadRequest("at most " + std::to_string(kMaxWebSocketPorts) +
                                           " ports can be forwarded over one WebSocket (each takes two of its channels); " +
                                           std::to_string(ports.size()) + " were asked for"));
  return ports;
}

// kubectl 1.31+'s SPDY tunnel, when a subprotocol asks for one; throws when it asks for
// another protocol than portforward.k8s.io to tunnel.
std::optional<PortForwardProtocol> tunnel_asked(const std::vector<std::string>& offered) {
  bool asked = false;
  for (const auto& subprotocol : offered) {
    if (!is_tunnel(subprotocol)) continue;
    asked = true;
    if (subprotocol.substr(kTunnelPrefix.size()) != kSpdyProtocol) continue;
    PortForwardProtocol tunnel;
    tunnel.kind = PortForwardProtocol::SpdyInWebSocket;
    tunnel.subprotocol = subprotocol;
    return tunnel;
  }
  if (!asked) return std::nullopt;
  throw ApiError(sdk::Status::BadRequest(
      "unable to upgrade: port-forward tunnels SPDY/3.1 with portforward.k8s.io only; offer the WebSocket "
      "subprotocol SPDY/3.1+portforward.k8s.io (offered: " + boost::join(offered, ", ") + ")"));
}

// As the kubelet's handshake: the client's first subprotocol it serves; none offered is binary.
PortForwardProtocol channels_asked(const std::vector<std::string>& offered) {
  PortForwardProtocol chosen;
  chosen.kind = PortForwardProtocol::WebSocketChannels;
  if (offered.empty()) return chosen;
  auto served = std::find_if(offered.begin(), offered.end(),
                             [](const std::string& p) { return p == kChannels || p == kBase64Channels; });
  if (served == offered.end())
    throw ApiError(sdk::Status::BadRequest(
        "port-forward over WebSocket: none of the subprotocols offered (" + boost::join(offered, ", ") +
        ") is served; offer " + kChannels + ", " + kBase64Channels + " or SPDY/3.1+" + kSpdyProtocol));
  chosen.subprotocol = *served;
  chosen.base64 = *served == kBase64Channels;
  return chosen;
}

PortForwardProtocol choose_websocket(const HttpRequest& request) {
  if (request.header("Sec-WebSocket-Key").empty())
    throw ApiError(sdk::Status::BadRequest("port-forward: the WebSocket upgrade has no Sec-WebSocket-Key"));
  auto offered = request.header_tokens("Sec-WebSocket-Protocol");
  if (auto tunnel = tunnel_asked(offered)) return *tunnel;
  PortForwardProtocol channels = channels_asked(offered);
  channels.ports = requested_ports(request);
  return channels;
}

}  // namespace

PortForwardProtocol choose_port_forward_protocol(const HttpRequest& request) {
  std::string upgrade = request.header("Upgrade");
  if (boost::iequals(upgrade, "websocket")) return choose_websocket(request);
  if (!boost::istarts_with(upgrade, "SPDY/3.1"))
    throw ApiError(sdk::Status::BadRequest(
        "port-forward needs a connection upgrade: SPDY/3.1 (portforward.k8s.io), or WebSocket "
        "(SPDY/3.1+portforward.k8s.io, v4.channel.k8s.io or v4.base64.channel.k8s.io)"));
  auto offered = request.header_tokens("X-Stream-Protocol-Version");
  if (std::find(offered.begin(), offered.end(), kSpdyProtocol) == offered.end())
    throw ApiError(sdk::Status::BadRequest("port-forward over SPDY needs X-Stream-Protocol-Version portforward.k8s.io"));
  return PortForwardProtocol{};  // Spdy
}

const char* protocol_label(const PortForwardProtocol& protocol) {
  switch (protocol.kind) {
    case PortForwardProtocol::Spdy:
      return "spdy";
    case PortForwardProtocol::SpdyInWebSocket:
      return "websocket-tunnel";
    case PortForwardProtocol::WebSocketChannels:
      break;
  }
  return "websocket";
}

}  // namespace skiff::apiserver
