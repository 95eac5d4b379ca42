// A blocking Beast request with "Connection: close"; errors returned, never thrown.
#include "http_probe.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace skiff::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;

ProbeResult probe_get(int port, const std::string& host, const std::string& target) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code error;
  socket.connect({asio::ip::make_address_v4("127.0.0.1"), static_cast<std::uint16_t>(port)}, error);
  if (error) return {0, "connect: " + error.message()};
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host);
  request.set(http::field::connection, "close");
  http::write(socket, request, error);
  if (error) return {0, "write: " + error.message()};
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response, error);
  if (error) return {0, "read: " + error.message()};
  return {response.result_int(), ""};
}

}  // namespace skiff::bench
