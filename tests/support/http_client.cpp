// One TLS connection per request: tests favour clarity over speed.
#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace skiff::test {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

HttpClient::HttpClient(int port, std::string ca_file, std::string token)
    : port_(port), ca_file_(std::move(ca_file)), token_(std::move(token)) {}

namespace {

struct Connection {
  net::io_context io;
  net::ssl::context tls{net::ssl::context::tls_client};
  net::ssl::stream<tcp::socket> stream{io, tls};

  Connection(int port, const std::string& ca_file) {
    tls.load_verify_file(ca_file);
    stream.set_verify_mode(net::ssl::verify_peer);
    stream.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    stream.handshake(net::ssl::stream_base::client);
  }
};

}  // namespace

// Sends the request and reads the whole answer.
template <class Body>
HttpResponse exchange(Connection& c, http::request<Body>& req) {
  boost::system::error_code ec;
  http::write(c.stream, req, ec);  // a server may answer (413) before reading everything
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(c.stream, buffer, parser, ec);
  HttpResponse out;
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) out.headers[std::string(field.name_string())] = std::string(field.value());
  out.body = res.body();
  return out;
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                                 const std::string& content_type, const std::string& accept) {
  Connection c(port_, ca_file_);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::accept, accept);
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  if (!body.empty()) req.set(http::field::content_type, content_type);
  req.body() = body;
  req.prepare_payload();
  return exchange(c, req);
}

HttpResponse HttpClient::get(const std::string& target, const std::map<std::string, std::string>& headers) {
  Connection c(port_, ca_file_);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token_.empty() && !headers.count("Authorization")) req.set(http::field::authorization, "Bearer " + token_);
  for (const auto& [name, value] : headers) req.set(name, value);
  return exchange(c, req);
}

int HttpClient::stream(const std::string& target, const std::function<bool(const std::string&)>& on_chunk,
                       std::chrono::milliseconds timeout) {
  Connection c(port_, ca_file_);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(c.stream.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::accept, "application/json");
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  http::write(c.stream, req);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.body_limit(boost::none);
  http::read_header(c.stream, buffer, parser);
  bool keep_going = true;
  auto chunk = [&](std::uint64_t, boost::beast::string_view data, boost::beast::error_code&) -> std::size_t {
    if (keep_going) keep_going = on_chunk(std::string(data));
    return data.size();
  };
  parser.on_chunk_body(chunk);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (keep_going && !parser.is_done() && std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    http::read_some(c.stream, buffer, parser, ec);
    if (ec) break;
  }
  return static_cast<int>(parser.get().result_int());
}

}  // namespace skiff::test
