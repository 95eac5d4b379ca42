// pods/portforward over the real HTTP server in each of its protocols — the kubelet's WebSocket
// channels (binary, base64, no subprotocol), SPDY/3.1 tunnelled in WebSocket (kubectl 1.31+) and
// plain SPDY/3.1 — to a pod of the real kubelet on runtime-sim, whose pods echo every port.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "api_node.hpp"
#include "http_client.hpp"
#include "skiff/sdk/bus_proto.hpp"
#include "spdy_client.hpp"
#include "spdy_headers.hpp"
#include "upgrade_client.hpp"
#include "wait.hpp"
#include "websocket_client.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;
using test::SpdyClient;
using test::UpgradeClient;
using test::WebSocketClient;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 20s;  // a deadline for what should come at once

std::string base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string little_endian(int port) { return {static_cast<char>(port & 0xff), static_cast<char>(port >> 8)}; }

class PortForwardHttp : public ::testing::Test {
 protected:
  test::ApiNode node{"", "  - name: runtime-sim\n  - name: kubelet\n    config: {relist_period: 100ms, server_address: \"127.0.0.1:0\"}\n"};
  test::HttpClient http{node.port(), node.ca_file(), node.token()};

  void SetUp() override {
    echo_uid = create_pod("echo", "test-node");
    ASSERT_TRUE(test::wait_until([&] { return phase("echo") == "Running"; }, 30s, 50ms)) << phase("echo");
  }

  // The pod's uid; `node_name` binds it (no scheduler runs here).
  std::string create_pod(const std::string& name, const std::string& node_name) {
    auto r = http.request("POST", "/api/v1/namespaces/default/pods",
                          R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"("},"spec":{"nodeName":")" +
                              node_name + R"(","containers":[{"name":"c","image":"busybox"}]}})");
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(json::parse(r.body).at("metadata").at("uid").as_string());
  }
  std::string phase(const std::string& name) {
    auto pod = json::parse(http.request("GET", "/api/v1/namespaces/default/pods/" + name).body);
    auto* status = pod.as_object().if_contains("status");
    auto* value = status ? status->as_object().if_contains("phase") : nullptr;
    return value ? std::string(value->as_string()) : "";
  }
  std::unique_ptr<UpgradeClient> upgrade(const std::string& method, const std::string& target, const UpgradeClient::Headers& headers) {
    return std::make_unique<UpgradeClient>(node.port(), node.ca_file(), node.token(), method, target, headers);
  }
  std::unique_ptr<UpgradeClient> websocket(const std::string& query, const std::string& subprotocols, const std::string& pod = "echo") {
    return upgrade("GET", "/api/v1/namespaces/default/pods/" + pod + "/portforward" + query,
                   WebSocketClient::upgrade_headers(subprotocols));
  }
  // The apiserver's Prometheus text.
  std::string metrics() {
    sdk::Reply reply = node.node().bus().request(node.node().subjects().plugin_metrics("apiserver"), "", 5s);
    EXPECT_TRUE(reply.ok()) << reply.status.message;
    return reply.data;
  }
  static std::string counted(const std::string& protocol, int sessions) {
    return "skiff_apiserver_port_forwards_total{protocol=\"" + protocol + "\"} " + std::to_string(sessions) + "\n";
  }
  // Whether every session the server had has ended, by its open-sessions gauge.
  bool all_sessions_ended() {
    return test::wait_until([&] { return metrics().find("skiff_apiserver_port_forwards_open 0\n") != std::string::npos; }, kWait, 20ms);
  }

  std::string echo_uid;
};

// Reads channel messages (binary, or text in base64) into `got` until `done` holds.
bool read_channels(WebSocketClient& socket, bool base64_text, std::map<int, std::string>& got, const std::function<bool()>& done) {
  auto deadline = Clock::now() + kWait;
  while (!done()) {
    auto message = socket.next(deadline);
    if (!message || message->opcode == WebSocketClient::Close || message->payload.empty()) return false;
    int channel = static_cast<unsigned char>(message->payload[0]);
    std::string data = message->payload.substr(1);
    if (base64_text) {
      EXPECT_EQ(message->opcode, WebSocketClient::Text);
      channel -= '0';
      std::string decoded(data.size(), '\0');
      int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()), reinterpret_cast<const unsigned char*>(data.data()),
                              static_cast<int>(data.size()));
      std::size_t padding = std::count(data.begin(), data.end(), '=');
      data = decoded.substr(0, static_cast<std::size_t>(n) - padding);
    }
    got[channel] += data;
  }
  return true;
}

TEST_F(PortForwardHttp, WebSocketChannelsCarryEachPortOnAPairAndCloseWhenTheClientDoes) {
  auto connection = websocket("?ports=8080,9090", "v4.channel.k8s.io");
  ASSERT_EQ(connection->status(), 101) << connection->body();
  EXPECT_EQ(connection->header("Sec-WebSocket-Protocol"), "v4.channel.k8s.io");
  EXPECT_EQ(connection->header("Sec-WebSocket-Accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");  // RFC 6455's sample answer
  WebSocketClient socket(*connection);

  // Each channel first says its port; then what each port is sent comes back on its data channel.
  std::map<int, std::string> got;
  ASSERT_TRUE(read_channels(socket, false, got, [&] { return got.size() == 4; }));
  EXPECT_EQ(got[0], little_endian(8080));
  EXPECT_EQ(got[1], little_endian(8080));
  EXPECT_EQ(got[2], little_endian(9090));
  EXPECT_EQ(got[3], little_endian(9090));
  got.clear();
  socket.send(WebSocketClient::Binary, std::string("\x00", 1) + "to 8080");
  socket.send(WebSocketClient::Binary, std::string("\x02", 1) + "to 9090");
  socket.send(WebSocketClient::Binary, std::string("\x03", 1) + "an error channel is the server's");
  socket.send(WebSocketClient::Binary, std::string("\x00", 1) + ", again");
  ASSERT_TRUE(read_channels(socket, false, got, [&] { return got[0] == "to 8080, again" && got[2] == "to 9090"; }))
      << got[0] << " | " << got[2];
  EXPECT_EQ(got.count(1) + got.count(3), 0u) << "nothing on the error channels";

  // The client leaves: the server answers its close.
  socket.send(WebSocketClient::Close, std::string("\x03\xe8", 2));
  auto answer = socket.next(Clock::now() + kWait);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->opcode, WebSocketClient::Close);
  EXPECT_NE(metrics().find(counted("websocket", 1)), std::string::npos) << metrics();
  EXPECT_TRUE(all_sessions_ended()) << metrics();
}

TEST_F(PortForwardHttp, Base64ChannelsAndNoSubprotocolAreServedAsTheKubeletServesThem) {
  auto text = websocket("?ports=8080", "v4.base64.channel.k8s.io");
  ASSERT_EQ(text->status(), 101) << text->body();
  EXPECT_EQ(text->header("Sec-WebSocket-Protocol"), "v4.base64.channel.k8s.io");
  WebSocketClient base64_socket(*text);
  std::map<int, std::string> got;
  ASSERT_TRUE(read_channels(base64_socket, true, got, [&] { return got.size() == 2; }));
  EXPECT_EQ(got[0], little_endian(8080));
  EXPECT_EQ(got[1], little_endian(8080));
  got.clear();
  const std::string binary("bytes \xff\x00 in base64", 18);
  base64_socket.send(WebSocketClient::Text, "0" + base64(binary));
  ASSERT_TRUE(read_channels(base64_socket, true, got, [&] { return got[0].size() >= binary.size(); })) << got[0];
  EXPECT_EQ(got[0], binary);

  // No subprotocol at all: binary channels, and no subprotocol in the answer.
  auto plain = websocket("?ports=8081&ports=8082", "");
  ASSERT_EQ(plain->status(), 101) << plain->body();
  EXPECT_EQ(plain->header("Sec-WebSocket-Protocol"), "");
  WebSocketClient binary_socket(*plain);
  got.clear();
  ASSERT_TRUE(read_channels(binary_socket, false, got, [&] { return got.size() == 4; }));
  EXPECT_EQ(got[2], little_endian(8082));
  binary_socket.send(WebSocketClient::Binary, std::string("\x02", 1) + "second");
  ASSERT_TRUE(read_channels(binary_socket, false, got, [&] { return got[2].size() > 2; }));
  EXPECT_EQ(got[2].substr(2), "second");
}

TEST_F(PortForwardHttp, RequestsWithoutUsablePortsOrProtocolsAreRefusedBeforeTheUpgrade) {
  auto refused = [&](const std::string& query, const std::string& subprotocols) {
    auto connection = websocket(query, subprotocols);
    EXPECT_EQ(connection->status(), 400) << query << " " << subprotocols;
    auto status = json::parse(connection->body());
    EXPECT_EQ(status.at("reason"), "BadRequest");
    return std::string(status.at("message").as_string());
  };
  EXPECT_EQ(refused("", "v4.channel.k8s.io"), "query parameter \"ports\" is required");
  EXPECT_EQ(refused("?ports=", "v4.channel.k8s.io"), "query parameter \"ports\" cannot be empty");
  EXPECT_EQ(refused("?ports=80,x", "v4.channel.k8s.io"),
            "unable to parse \"80,x\" as a port: strconv.ParseUint: parsing \"x\": invalid syntax");
  EXPECT_EQ(refused("?ports=70000", ""), "unable to parse \"70000\" as a port: strconv.ParseUint: parsing \"70000\": value out of range");
  EXPECT_EQ(refused("?ports=0", ""), "port \"0\" must be > 0");
  EXPECT_NE(refused("?ports=80", "v5.channel.k8s.io").find("none of the subprotocols offered (v5.channel.k8s.io) is served"),
            std::string::npos);
  EXPECT_NE(refused("", "SPDY/3.1+v4.channel.k8s.io").find("offer the WebSocket subprotocol SPDY/3.1+portforward.k8s.io"),
            std::string::npos);

  auto spdy_without_protocol = upgrade("POST", "/api/v1/namespaces/default/pods/echo/portforward",
                                       {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}});
  EXPECT_EQ(spdy_without_protocol->status(), 400);
  auto no_upgrade = upgrade("POST", "/api/v1/namespaces/default/pods/echo/portforward", {});
  EXPECT_EQ(no_upgrade->status(), 400);
  EXPECT_EQ(metrics().find("skiff_apiserver_port_forwards_total"), std::string::npos) << "no session was counted";
}

// The tunnel's transport: SPDY's bytes in WebSocket binary messages, both ways. kubectl's framer
// writes a frame's header in pieces, each its own message: so does this one.
SpdyClient::Transport tunnel_over(WebSocketClient& socket) {
  return {[&socket](std::string_view frame) {
            for (std::size_t piece : {4, 4})
              if (frame.size() > piece) {
                if (!socket.send(WebSocketClient::Binary, frame.substr(0, piece))) return false;
                frame.remove_prefix(piece);
              }
            return socket.send(WebSocketClient::Binary, frame);
          },
          [&socket](std::string& buffer, Clock::time_point deadline) {
            auto message = socket.next(deadline);
            if (!message || message->opcode != WebSocketClient::Binary) return false;
            buffer += message->payload;
            return true;
          }};
}

SpdyClient::Transport raw_over(UpgradeClient& connection) {
  return {[&connection](std::string_view bytes) { return connection.write(bytes); },
          [&connection](std::string& buffer, Clock::time_point deadline) {
            if (!connection.has(1, deadline)) return false;
            std::string bytes;
            connection.read_exactly(connection.peek().size(), deadline, bytes);
            buffer += bytes;
            return true;
          }};
}

// What kubectl does on a SPDY session: per local connection an error and a data stream paired
// by requestID; data both ways; a ping; the data stream's end, answered by the end of both.
void forward_two_ports_as_kubectl_does(SpdyClient& spdy) {
  std::map<int, std::uint32_t> data_stream, error_stream;
  int request = 0;
  for (int port : {8080, 9090}) {
    std::string id = std::to_string(request++);
    error_stream[port] = spdy.open_stream({{"streamType", "error"}, {"port", std::to_string(port)}, {"requestID", id}});
    data_stream[port] = spdy.open_stream({{"streamType", "data"}, {"port", std::to_string(port)}, {"requestID", id}});
  }
  spdy.data(data_stream[8080], "to 8080");
  spdy.data(data_stream[9090], "to 9090");
  spdy.ping(7);

  std::set<std::uint32_t> replied, finished;
  std::map<std::uint32_t, std::string> got;
  bool pinged = false;
  auto deadline = Clock::now() + kWait;
  auto read_until = [&](const std::function<bool()>& done) {
    while (!done()) {
      auto frame = spdy.next(deadline);
      if (!frame) return false;
      if (frame->control && frame->type == SpdyClient::kSynReply) replied.insert(frame->stream_id);
      if (frame->control && frame->type == SpdyClient::kPing) pinged = frame->payload == std::string("\0\0\0\x07", 4);
      if (frame->control) continue;
      got[frame->stream_id] += frame->payload;
      if (frame->flags & SpdyClient::kFin) finished.insert(frame->stream_id);
    }
    return true;
  };
  ASSERT_TRUE(read_until([&] { return replied.size() == 4 && pinged && got[data_stream[8080]] == "to 8080" && got[data_stream[9090]] == "to 9090"; }))
      << replied.size() << " replies; " << got[data_stream[8080]] << " | " << got[data_stream[9090]];

  // The client ends its side of 8080: the pod's connection ends, and the server ends both streams.
  spdy.data(data_stream[8080], "", true);
  ASSERT_TRUE(read_until([&] { return finished.count(data_stream[8080]) && finished.count(error_stream[8080]); }));
  EXPECT_EQ(got[error_stream[8080]], "") << "no error";
  EXPECT_FALSE(finished.count(data_stream[9090])) << "the other port goes on";
  spdy.data(data_stream[9090], " still");
  ASSERT_TRUE(read_until([&] { return got[data_stream[9090]] == "to 9090 still"; }));
}

TEST_F(PortForwardHttp, SpdyInsideWebSocketCarriesKubectlsStreamsForSeveralPorts) {
  auto connection = websocket("", "SPDY/3.1+portforward.k8s.io");
  ASSERT_EQ(connection->status(), 101) << connection->body();
  EXPECT_EQ(connection->header("Sec-WebSocket-Protocol"), "SPDY/3.1+portforward.k8s.io");
  WebSocketClient socket(*connection);
  {
    SpdyClient spdy(tunnel_over(socket), apiserver::spdy3_dictionary());
    forward_two_ports_as_kubectl_does(spdy);
  }
  socket.send(WebSocketClient::Close, std::string("\x03\xe8", 2));
  std::optional<WebSocketClient::Message> answer;
  while ((answer = socket.next(Clock::now() + kWait)) && answer->opcode != WebSocketClient::Close) {
  }
  EXPECT_TRUE(answer) << "the server answers the close";
  EXPECT_TRUE(all_sessions_ended()) << metrics();
  std::string text = metrics();
  EXPECT_NE(text.find(counted("websocket-tunnel", 1)), std::string::npos) << text;
  EXPECT_EQ(text.find("protocol=\"spdy\""), std::string::npos) << text;
}

TEST_F(PortForwardHttp, PlainSpdyCarriesTheSameStreams) {
  auto connection = upgrade("POST", "/api/v1/namespaces/default/pods/echo/portforward",
                            {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}, {"X-Stream-Protocol-Version", "portforward.k8s.io"}});
  ASSERT_EQ(connection->status(), 101) << connection->body();
  EXPECT_EQ(connection->header("X-Stream-Protocol-Version"), "portforward.k8s.io");
  {
    SpdyClient spdy(raw_over(*connection), apiserver::spdy3_dictionary());
    forward_two_ports_as_kubectl_does(spdy);
  }
  EXPECT_NE(metrics().find(counted("spdy", 1)), std::string::npos) << metrics();
  connection.reset();  // the client vanishes without a word: its session ends all the same
  EXPECT_TRUE(all_sessions_ended()) << metrics();
}

TEST_F(PortForwardHttp, APortThatCannotBeReachedSaysWhyOnItsErrorChannelInEveryProtocol) {
  // Bound to a node no kubelet serves: the connection to the port cannot be made.
  std::string uid = create_pod("stranded", "ghost");
  std::string why = "error forwarding port 8080 to pod default/stranded, uid " + uid + ": no kubelet serves node \"ghost\"";

  auto connection = websocket("?ports=8080", "v4.channel.k8s.io", "stranded");
  ASSERT_EQ(connection->status(), 101) << connection->body();
  WebSocketClient socket(*connection);
  std::map<int, std::string> got;
  ASSERT_TRUE(read_channels(socket, false, got, [&] { return got[1].size() > 2; }));
  EXPECT_EQ(got[1].substr(0, 2), little_endian(8080));
  EXPECT_EQ(got[1].substr(2, why.size()), why) << got[1];
  // Its only port has ended: the server closes the session.
  auto end = socket.next(Clock::now() + kWait);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->opcode, WebSocketClient::Close);
  socket.send(WebSocketClient::Close, end->payload);  // the answer a client owes

  auto tunnel = websocket("", "SPDY/3.1+portforward.k8s.io", "stranded");
  ASSERT_EQ(tunnel->status(), 101);
  WebSocketClient tunnel_socket(*tunnel);
  SpdyClient spdy(tunnel_over(tunnel_socket), apiserver::spdy3_dictionary());
  auto error = spdy.open_stream({{"streamType", "error"}, {"port", "8080"}, {"requestID", "0"}});
  auto data = spdy.open_stream({{"streamType", "data"}, {"port", "8080"}, {"requestID", "0"}});
  std::map<std::uint32_t, std::string> text;
  std::set<std::uint32_t> finished;
  auto deadline = Clock::now() + kWait;
  while (!(finished.count(error) && finished.count(data))) {
    auto frame = spdy.next(deadline);
    ASSERT_TRUE(frame) << text[error];
    if (frame->control) continue;
    text[frame->stream_id] += frame->payload;
    if (frame->flags & SpdyClient::kFin) finished.insert(frame->stream_id);
  }
  EXPECT_EQ(text[error].substr(0, why.size()), why) << text[error];
  EXPECT_EQ(text[data], "");
  tunnel_socket.send(WebSocketClient::Close, std::string("\x03\xe8", 2));
  EXPECT_TRUE(all_sessions_ended()) << metrics();
}

}  // namespace
