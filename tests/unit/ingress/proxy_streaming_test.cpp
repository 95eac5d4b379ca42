// Bodies pass through the proxy as they come: a trickled response is seen before its end, 50 MB
// go through with bounded memory, a chunked upload reaches the upstream chunked.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <sstream>
#include <sys/resource.h>

#include "proxy_lab.hpp"
#include "test_client.hpp"
#include "wait.hpp"

namespace skiff::ingress::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using skiff::test::wait_until;

void write_text(asio::ip::tcp::socket& socket, const std::string& text) {
  boost::system::error_code ignored;
  asio::write(socket, asio::buffer(text), ignored);
}

std::string chunk_of(const std::string& data) {
  std::ostringstream hex;
  hex << std::hex << data.size();
  return hex.str() + "\r\n" + data + "\r\n";
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

class IngressProxyStreaming : public ProxyLab {};

TEST_F(IngressProxyStreaming, ATrickledResponseIsSeenBeforeItsEnd) {
  std::atomic<bool> client_saw_first{false};
  std::atomic<bool> released_by_client{false};
  TestBackend trickle("trickle", [&](BackendCall& call) {
    write_text(call.socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk_of("first-part;"));
    // The rest only once the client has the first part: a buffering proxy would never see it.
    released_by_client = wait_until([&] { return client_saw_first.load(); });
    write_text(call.socket, chunk_of("second-part") + "0\r\n\r\n");
    return true;
  });
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", trickle)}})});
  TestClient client(http_port());
  http::write(client.socket(), make_request("a.test", "/"));
  http::response_parser<http::buffer_body> parser;
  http::read_header(client.socket(), client.buffer(), parser);
  EXPECT_TRUE(parser.chunked());
  std::string received;
  char piece[256];
  while (!parser.is_done()) {
    parser.get().body().data = piece;
    parser.get().body().size = sizeof(piece);
    boost::system::error_code error;
    http::read_some(client.socket(), client.buffer(), parser, error);
    if (error && error != http::error::need_buffer) FAIL() << error.message();
    received.append(piece, sizeof(piece) - parser.get().body().size);
    if (received.find("first-part;") != std::string::npos) client_saw_first = true;
  }
  EXPECT_TRUE(released_by_client) << "the first part reached the client only with the end";
  EXPECT_EQ(received, "first-part;second-part");
}

TEST_F(IngressProxyStreaming, FiftyMegabytesPassWithBoundedMemory) {
  constexpr std::size_t total = 50 * 1024 * 1024;
  constexpr std::size_t piece_size = 64 * 1024;
  TestBackend big("big", [&](BackendCall& call) {
    write_text(call.socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    std::string piece(piece_size, '\0');
    for (std::size_t sent = 0; sent < total; sent += piece_size) {
      for (std::size_t i = 0; i < piece_size; ++i) piece[i] = static_cast<char>((sent + i) % 251);
      write_text(call.socket, chunk_of(piece));
    }
    write_text(call.socket, "0\r\n\r\n");
    return true;
  });
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", big)}})});
  long rss_before = peak_rss_kib();
  TestClient client(http_port());
  http::write(client.socket(), make_request("a.test", "/"));
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(client.socket(), client.buffer(), parser);
  std::vector<char> piece(16 * 1024);
  std::size_t received = 0, wrong = 0;
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    boost::system::error_code error;
    http::read_some(client.socket(), client.buffer(), parser, error);
    if (error && error != http::error::need_buffer) FAIL() << error.message() << " after " << received << " bytes";
    std::size_t got = piece.size() - parser.get().body().size;
    for (std::size_t i = 0; i < got; ++i) wrong += piece[i] != static_cast<char>((received + i) % 251);
    received += got;
  }
  EXPECT_EQ(received, total);
  EXPECT_EQ(wrong, 0u);
  // The whole body held anywhere in this process (proxy, backend or client) would add 50 MB.
  EXPECT_LT(peak_rss_kib() - rss_before, 20 * 1024) << "peak RSS grew by " << (peak_rss_kib() - rss_before) << " KiB";
  // And the connection goes on.
  EXPECT_EQ(client.get("a.test", "/").result_int(), 200);
}

TEST_F(IngressProxyStreaming, AChunkedUploadReachesTheUpstreamChunked) {
  TestBackend server("server");
  start();
  IngressValues ingress = simple_ingress("a", "a.test", {{"/", backend_of("a", server)}});
  ingress.options.max_body_size = 0;  // no limit
  set_routes({ingress});
  TestClient client(http_port());
  write_text(client.socket(), "POST /upload HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string piece(100 * 1024, 'u');
  for (int i = 0; i < 30; ++i) write_text(client.socket(), chunk_of(piece));
  write_text(client.socket(), "0\r\n\r\n");
  Response response;
  http::read(client.socket(), client.buffer(), response);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_NE(response.body().find("body: " + std::to_string(30 * piece.size()) + "\n"), std::string::npos) << response.body();
  EXPECT_NE(response.body().find("Transfer-Encoding: chunked\n"), std::string::npos) << response.body();
}

TEST_F(IngressProxyStreaming, AnExpectContinueClientIsToldToSend) {
  TestBackend server("server");
  start();
  set_routes({simple_ingress("a", "a.test", {{"/", backend_of("a", server)}})});
  TestClient client(http_port());
  write_text(client.socket(), "PUT / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  http::response_parser<http::empty_body> interim_parser;
  http::read_header(client.socket(), client.buffer(), interim_parser);
  EXPECT_EQ(interim_parser.get().result_int(), 100);
  write_text(client.socket(), "hello");
  Response response;
  http::read(client.socket(), client.buffer(), response);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_NE(response.body().find("body: 5\n"), std::string::npos) << response.body();
  EXPECT_EQ(response.body().find("Expect"), std::string::npos) << response.body();
}

}  // namespace
}  // namespace skiff::ingress::test
