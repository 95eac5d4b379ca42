// Upgrade requests (WebSocket and any other): the 101 comes back, then raw bytes flow both ways
// through the proxy until either side closes or the upstream is silent for the read timeout.
#include <gtest/gtest.h>
#include <poll.h>

#include <boost/asio.hpp>
#include <boost/beast/websocket.hpp>
#include <thread>

#include "proxy_lab.hpp"
#include "test_client.hpp"

namespace skiff::ingress::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

// Switches to "echo" and sends back every byte it gets until the client closes.
bool upgrade_and_echo(BackendCall& call) {
  if (call.request[http::field::upgrade] != "echo") return answer_echo("plain", call);
  std::string switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\nX-Echo: yes\r\n\r\n";
  asio::write(call.socket, asio::buffer(switching));
  char piece[4096];
  boost::system::error_code error;
  while (true) {
    std::size_t got = call.socket.read_some(asio::buffer(piece), error);
    if (error) return false;
    asio::write(call.socket, asio::buffer(piece, got), error);
    if (error) return false;
  }
}

// Reads exactly `size` tunnelled bytes, starting with what the parser left in the buffer.
std::string read_tunnelled(TestClient& client, std::size_t size) {
  std::string got = boost::beast::buffers_to_string(client.buffer().data());
  client.buffer().consume(client.buffer().size());
  if (got.size() < size) {
    std::string rest(size - got.size(), '\0');
    asio::read(client.socket(), asio::buffer(rest));
    got += rest;
  }
  return got;
}

// A real WebSocket server (Beast's handshake checks the key, version and Connection tokens):
// sends every message back.
bool websocket_echo(BackendCall& call) {
  if (!websocket::is_upgrade(call.request)) return answer_echo("plain", call);
  websocket::stream<asio::ip::tcp::socket&> stream(call.socket);
  boost::system::error_code error;
  stream.accept(call.request, error);
  boost::beast::flat_buffer buffer;
  while (!error) {
    stream.read(buffer, error);
    if (error) break;
    stream.text(stream.got_text());
    stream.write(buffer.data(), error);
    buffer.consume(buffer.size());
  }
  return false;
}

class IngressProxyUpgrade : public ProxyLab {};

TEST_F(IngressProxyUpgrade, AWebSocketClientTalksToAWebSocketServer) {
  TestBackend echo("ws", websocket_echo);
  start();
  set_routes({simple_ingress("a", "ws.test", {{"/", backend_of("a", echo)}})});
  asio::io_context context;
  websocket::stream<asio::ip::tcp::socket> client(context);
  client.next_layer().connect({asio::ip::make_address("127.0.0.1"), http_port()});
  client.handshake("ws.test", "/chat");
  for (const std::string& message : std::vector<std::string>{"hello", std::string(100000, 'x')}) {
    client.write(asio::buffer(message));
    boost::beast::flat_buffer buffer;
    client.read(buffer);
    EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), message);
  }
  client.close(websocket::close_code::normal);
}

TEST_F(IngressProxyUpgrade, TunnelsBytesBothWaysAfter101) {
  TestBackend echo("echo", upgrade_and_echo);
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", echo)}})});
  TestClient client(http_port());
  http::write(client.socket(), make_request("a.test", "/socket", {{"Upgrade", "echo"}, {"Connection", "Upgrade"}}));
  http::response_parser<http::empty_body> parser;
  http::read_header(client.socket(), client.buffer(), parser);
  ASSERT_EQ(parser.get().result_int(), 101);
  EXPECT_EQ(parser.get()[http::field::upgrade], "echo");
  EXPECT_EQ(parser.get()["X-Echo"], "yes");

  asio::write(client.socket(), asio::buffer(std::string("hello")));
  EXPECT_EQ(read_tunnelled(client, 5), "hello");
  std::string large(300 * 1024, '\0');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>(i % 253);
  asio::write(client.socket(), asio::buffer(large));
  EXPECT_EQ(read_tunnelled(client, large.size()), large);

  // The client's end reaches the upstream, whose close comes back.
  client.socket().shutdown(asio::ip::tcp::socket::shutdown_send);
  char byte;
  boost::system::error_code error;
  client.socket().read_some(asio::buffer(&byte, 1), error);
  EXPECT_EQ(error, asio::error::eof);
}

TEST_F(IngressProxyUpgrade, RefusedUpgradeIsAnOrdinaryResponse) {
  TestBackend plain("plain");
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", plain)}})});
  TestClient client(http_port());
  Response response = client.get("a.test", "/", {{"Upgrade", "other"}, {"Connection", "Upgrade"}});
  EXPECT_EQ(response.result_int(), 200);
  // The upstream was asked to upgrade, said no, and the connection carries on.
  EXPECT_NE(response.body().find("Upgrade: other\n"), std::string::npos) << response.body();
  EXPECT_EQ(client.get("a.test", "/").result_int(), 200);
}

// As nginx's proxy_read_timeout: a tunnel whose upstream says nothing for the route's read
// timeout is closed; one that keeps talking lives on past it.
TEST_F(IngressProxyUpgrade, AnUpstreamSilentForTheReadTimeoutEndsTheTunnel) {
  TestBackend echo("echo", upgrade_and_echo);
  start();
  auto ingress = simple_ingress("a", "a.test", {{"/", backend_of("a", echo)}});
  ingress.options.read_timeout = std::chrono::milliseconds(1000);
  set_routes({ingress});
  TestClient client(http_port());
  http::write(client.socket(), make_request("a.test", "/socket", {{"Upgrade", "echo"}, {"Connection", "Upgrade"}}));
  http::response_parser<http::empty_body> parser;
  http::read_header(client.socket(), client.buffer(), parser);
  ASSERT_EQ(parser.get().result_int(), 101);

  // Talking every 50 ms for two and a half times the timeout: the tunnel stays.
  auto talk_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
  while (std::chrono::steady_clock::now() < talk_until) {
    asio::write(client.socket(), asio::buffer(std::string("ping")));
    EXPECT_EQ(read_tunnelled(client, 4), "ping");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the traffic's pace, not a wait for a condition
  }
  // Then silence: the proxy closes the client's side (the end is readable within 10 s, else
  // the test fails instead of hanging).
  pollfd readable{client.socket().native_handle(), POLLIN, 0};
  ASSERT_EQ(::poll(&readable, 1, 10000), 1) << "the tunnel is still open";
  char byte;
  boost::system::error_code error;
  client.socket().read_some(asio::buffer(&byte, 1), error);
  EXPECT_TRUE(error == asio::error::eof || error == asio::error::connection_reset) << error.message();
}

}  // namespace
}  // namespace skiff::ingress::test
