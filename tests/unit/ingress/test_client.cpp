// The test clients' connections, requests and TLS handshakes.
#include "test_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace skiff::ingress::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Request make_request(const std::string& host, const std::string& target, const Fields& fields, http::verb method,
                     std::string body) {
  Request request{method, target, 11};
  request.set(http::field::host, host);
  for (const auto& [name, value] : fields) request.set(name, value);
  request.body() = std::move(body);
  if (!request.body().empty() || method == http::verb::post || method == http::verb::put) request.prepare_payload();
  return request;
}

TestClient::TestClient(std::uint16_t port) : socket_(io_) {
  socket_.connect({asio::ip::make_address("127.0.0.1"), port});
}

Response TestClient::send(Request request) {
  http::write(socket_, request);
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  if (request.method() == http::verb::head) parser.skip(true);
  http::read(socket_, buffer_, parser);
  return parser.release();
}

Response TestClient::get(const std::string& host, const std::string& target, const Fields& fields) {
  return send(make_request(host, target, fields));
}

bool TestClient::closed_by_peer() {
  socket_.non_blocking(true);
  char byte;
  boost::system::error_code error;
  socket_.read_some(asio::buffer(&byte, 1), error);
  socket_.non_blocking(false);
  return error == asio::error::eof || error == asio::error::connection_reset;
}

namespace {

std::string subject_common_name(SSL* connection) {
  X509* certificate = SSL_get1_peer_certificate(connection);
  if (!certificate) return "";
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name, sizeof(name));
  X509_free(certificate);
  return name;
}

}  // namespace

TlsResponse https_get(std::uint16_t port, const std::string& server_name, const std::string& host, const std::string& target) {
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  if (!server_name.empty()) SSL_set_tlsext_host_name(stream.native_handle(), server_name.c_str());
  beast::get_lowest_layer(stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  stream.handshake(asio::ssl::stream_base::client);
  TlsResponse result;
  result.certificate_subject = subject_common_name(stream.native_handle());
  http::write(stream, make_request(host, target));
  beast::flat_buffer buffer;
  http::read(stream, buffer, result.response);
  boost::system::error_code ignored;
  stream.shutdown(ignored);
  return result;
}

}  // namespace skiff::ingress::test
