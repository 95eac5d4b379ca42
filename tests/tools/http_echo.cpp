// An HTTP/1.1 and WebSocket echo server for pods, linked statically so a test can mount it into
// any container:  http-echo PORT NAME
// Every request is answered 200 with one line naming the server and what it received (path,
// Host, X-Forwarded-*); a WebSocket upgrade is accepted and every message is sent back. SIGTERM
// is ignored on purpose: the pod keeps serving through its grace period, as a server with a
// preStop delay does, so that tests see what the proxy does while an endpoint goes away.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::string header(const http::request<http::string_body>& request, http::field field) {
  auto found = request.find(field);
  return found == request.end() ? "" : std::string(found->value());
}

std::string header(const http::request<http::string_body>& request, const char* name) {
  auto found = request.find(name);
  return found == request.end() ? "" : std::string(found->value());
}

std::string describe(const std::string& name, const http::request<http::string_body>& request) {
  return "name=" + name + " path=" + std::string(request.target()) + " host=" + header(request, http::field::host) +
         " xff=" + header(request, "X-Forwarded-For") + " proto=" + header(request, "X-Forwarded-Proto") + " fhost=" + header(request, "X-Forwarded-Host") +
         " id=" + header(request, "X-Request-Id") +
         " body=" + std::to_string(request.body().size()) + "\n";
}

void echo_messages(tcp::socket socket, const http::request<http::string_body>& upgrade) {
  websocket::stream<tcp::socket> stream(std::move(socket));
  stream.accept(upgrade);
  beast::flat_buffer buffer;
  beast::error_code error;
  while (true) {
    stream.read(buffer, error);
    if (error) return;
    stream.text(stream.got_text());
    stream.write(buffer.data(), error);
    if (error) return;
    buffer.consume(buffer.size());
  }
}

void serve(tcp::socket socket, const std::string& name) {
  beast::flat_buffer buffer;
  beast::error_code error;
  while (true) {
    http::request<http::string_body> request;
    http::read(socket, buffer, request, error);
    if (error) return;
    if (websocket::is_upgrade(request)) return echo_messages(std::move(socket), request);
    http::response<http::string_body> response(http::status::ok, request.version());
    response.set(http::field::content_type, "text/plain");
    response.body() = describe(name, request);
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    http::write(socket, response, error);
    if (error || !response.keep_alive()) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: http-echo PORT NAME\n");
    return 2;
  }
  std::signal(SIGTERM, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(tcp::v4(), static_cast<unsigned short>(std::atoi(argv[1]))));
  std::string name = argv[2];
  while (true) {
    tcp::socket socket(context);
    acceptor.accept(socket);
    std::thread(serve, std::move(socket), name).detach();
  }
}
