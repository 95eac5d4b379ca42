// HTTP clients for the proxy tests: one keep-alive connection over plain TCP, or over TLS with
// a chosen SNI name (the certificate presented is reported, not verified).
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <string>
#include <vector>

namespace skiff::ingress::test {

using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Fields = std::vector<std::pair<std::string, std::string>>;

Request make_request(const std::string& host, const std::string& target, const Fields& fields = {},
                     boost::beast::http::verb method = boost::beast::http::verb::get, std::string body = "");

class TestClient {
 public:
  explicit TestClient(std::uint16_t port);
  // Sends `request` and reads the response; throws boost::system::system_error on failure.
  Response send(Request request);
  Response get(const std::string& host, const std::string& target, const Fields& fields = {});
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  boost::beast::flat_buffer& buffer() { return buffer_; }
  // Whether the proxy has closed the connection (reads EOF without blocking long).
  bool closed_by_peer();

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

struct TlsResponse {
  Response response;
  std::string certificate_subject;  // the presented certificate's subject CN
};

// One HTTPS request to 127.0.0.1:`port` naming `server_name` by SNI ("" for none).
TlsResponse https_get(std::uint16_t port, const std::string& server_name, const std::string& host, const std::string& target);

}  // namespace skiff::ingress::test
