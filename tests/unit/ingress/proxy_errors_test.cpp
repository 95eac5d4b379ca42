// The proxy's own answers: 404 (or the default backend), 503 without endpoints, 502 naming the
// upstream's failure, 504 after the read timeout, 413 over the body limit, 400 for garbage.
#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "proxy_lab.hpp"
#include "skiff/testing/process.hpp"
#include "test_client.hpp"

namespace skiff::ingress::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Sends raw bytes and reads one response.
Response raw_exchange(std::uint16_t port, const std::string& bytes) {
  TestClient client(port);
  asio::write(client.socket(), asio::buffer(bytes));
  Response response;
  http::read(client.socket(), client.buffer(), response);
  return response;
}

class IngressProxyErrors : public ProxyLab {};

TEST_F(IngressProxyErrors, NoRouteIs404SayingWhat) {
  start();
  TestClient client(http_port());
  Response response = client.get("nowhere.test", "/x?q=1");
  EXPECT_EQ(response.result_int(), 404);
  EXPECT_TRUE(contains(response.body(), "no route for host \"nowhere.test\" and path /x")) << response.body();
  EXPECT_EQ(client.get("nowhere.test", "/").result_int(), 404);  // the connection stays usable
}

TEST_F(IngressProxyErrors, UnmatchedRequestsGoToTheDefaultBackend) {
  TestBackend fallback("fallback"), site("site");
  start();
  IngressValues ingress = simple_ingress("a", "a.test", {{"/app", backend_of("a", site)}});
  ingress.default_backend = backend_of("a", fallback);
  set_routes({ingress});
  TestClient client(http_port());
  EXPECT_TRUE(client.get("a.test", "/other").body().starts_with("fallback "));
  EXPECT_TRUE(client.get("elsewhere.test", "/").body().starts_with("fallback "));
  EXPECT_TRUE(client.get("a.test", "/app").body().starts_with("site "));
}

TEST_F(IngressProxyErrors, NoReadyEndpointIs503) {
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", "empty", {})}})});
  Response response = TestClient(http_port()).get("a.test", "/");
  EXPECT_EQ(response.result_int(), 503);
  EXPECT_TRUE(contains(response.body(), "service default/empty port 80 has no ready endpoint")) << response.body();
}

TEST_F(IngressProxyErrors, RefusedConnectionIs502NamingTheUpstream) {
  Endpoint nobody{"127.0.0.1", static_cast<std::uint16_t>(skiff::test::free_port())};
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", "gone", {nobody})}})});
  Response response = TestClient(http_port()).get("a.test", "/");
  EXPECT_EQ(response.result_int(), 502);
  EXPECT_TRUE(contains(response.body(), "upstream " + to_string(nobody) + " connect: Connection refused")) << response.body();
}

TEST_F(IngressProxyErrors, GarbageFromTheUpstreamIs502) {
  TestBackend broken("broken", [](BackendCall& call) {
    asio::write(call.socket, asio::buffer(std::string("SPEAKING NONSENSE\r\n\r\n")));
    return false;
  });
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", broken)}})});
  Response response = TestClient(http_port()).get("a.test", "/");
  EXPECT_EQ(response.result_int(), 502);
  EXPECT_TRUE(contains(response.body(), "read: bad response")) << response.body();
}

TEST_F(IngressProxyErrors, ResetByTheUpstreamIs502) {
  TestBackend resetting("resetting", [](BackendCall& call) {
    call.socket.set_option(asio::socket_base::linger(true, 0));  // close with RST
    call.socket.close();
    return false;
  });
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", resetting)}})});
  Response response = TestClient(http_port()).get("a.test", "/");
  EXPECT_EQ(response.result_int(), 502);
  EXPECT_TRUE(contains(response.body(), "read: ")) << response.body();
}

TEST_F(IngressProxyErrors, SilentUpstreamIs504AfterTheReadTimeout) {
  // Reads until the proxy gives up and closes, never answering.
  TestBackend silent("silent", [](BackendCall& call) {
    char byte;
    boost::system::error_code error;
    call.socket.read_some(asio::buffer(&byte, 1), error);
    return false;
  });
  start();
  IngressValues ingress = simple_ingress("a", "a.test", {{"/", backend_of("a", silent)}});
  ingress.options.read_timeout = std::chrono::milliseconds(300);
  set_routes({ingress});
  Response response = TestClient(http_port()).get("a.test", "/");
  EXPECT_EQ(response.result_int(), 504);
  EXPECT_TRUE(contains(response.body(), "no answer within 300 ms")) << response.body();
}

TEST_F(IngressProxyErrors, BodiesOverTheLimitAre413) {
  TestBackend server("server");
  start();
  IngressValues ingress = simple_ingress("a", "a.test", {{"/", backend_of("a", server)}});
  ingress.options.max_body_size = 1000;
  set_routes({ingress});
  Response declared = TestClient(http_port()).send(make_request("a.test", "/", {}, http::verb::post, std::string(2000, 'x')));
  EXPECT_EQ(declared.result_int(), 413);
  EXPECT_EQ(server.requests_served(), 0u);  // refused before the upstream was asked

  std::string chunk(600, 'y');
  Response chunked = raw_exchange(http_port(), "POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" +
                                                    chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.result_int(), 413);

  Response within = TestClient(http_port()).send(make_request("a.test", "/", {}, http::verb::post, std::string(1000, 'x')));
  EXPECT_EQ(within.result_int(), 200);
  EXPECT_TRUE(contains(within.body(), "body: 1000\n")) << within.body();
}

TEST_F(IngressProxyErrors, GarbageFromTheClientIs400) {
  start();
  Response response = raw_exchange(http_port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(response.result_int(), 400);
}

}  // namespace
}  // namespace skiff::ingress::test
