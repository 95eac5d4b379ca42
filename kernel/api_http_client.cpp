// Blocking Beast calls: skiffd logs does one thing at a time. The server certificate is checked
// against the kubeconfig's CA (or the system's) and the server's host name or IP address.
#include "api_http_client.hpp"

#include <cctype>
#include <regex>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace skiff::kernel {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::size_t kReadChunk = 64 * 1024;

// Hands each complete line of `pending` to on_line; false when it asked to stop.
bool emit_lines(std::string& pending, const std::function<bool(std::string_view)>& on_line) {
  std::size_t start = 0;
  for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1)
    if (!on_line(std::string_view(pending).substr(start, end - start))) return false;
  pending.erase(0, start);
  return true;
}

}  // namespace

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

ApiHttpClient::ApiHttpClient(ApiEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  std::smatch m;
  static const std::regex url(R"((https?)://(\[[^\]]+\]|[^/:]+)(?::([0-9]+))?(/.*)?)");
  if (!std::regex_match(endpoint_.server, m, url))
    throw std::runtime_error("the kubeconfig's server \"" + endpoint_.server + "\" is not an http(s)://host[:port] URL");
  tls_ = m[1] == "https";
  host_ = m[2];
  if (host_.front() == '[') host_ = host_.substr(1, host_.size() - 2);
  port_ = m[3].matched ? std::string(m[3]) : tls_ ? "443" : "80";
  base_path_ = m[4].matched ? std::string(m[4]) : "";
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
}

template <class Stream>
HttpAnswer ApiHttpClient::exchange(Stream& stream, const std::string& target,
                                   const std::function<bool(std::string_view)>* on_line) {
  http::request<http::empty_body> request{http::verb::get, base_path_ + target, 11};
  request.set(http::field::host, host_);
  request.set(http::field::accept, "application/json");
  request.set(http::field::user_agent, "skiffd-logs");
  if (!endpoint_.token.empty()) request.set(http::field::authorization, "Bearer " + endpoint_.token);
  http::write(stream, request);

  boost::beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(stream, buffer, parser);
  HttpAnswer answer;
  answer.status = static_cast<int>(parser.get().result_int());
  bool lines = on_line && *on_line && answer.status == 200;
  std::string pending;
  std::vector<char> chunk(kReadChunk);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    boost::system::error_code ec;
    http::read_some(stream, buffer, parser, ec);  // what has arrived: a follow prints as lines come
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::ssl::error::stream_truncated) break;
    if (ec) throw std::runtime_error("reading the answer from " + endpoint_.server + ": " + ec.message());
    std::size_t got = chunk.size() - parser.get().body().size;
    if (!lines) {
      answer.body.append(chunk.data(), got);
      continue;
    }
    pending.append(chunk.data(), got);
    if (!emit_lines(pending, *on_line)) return answer;
  }
  if (lines && !pending.empty()) (*on_line)(pending);
  return answer;
}

HttpAnswer ApiHttpClient::get_lines(const std::string& target, const std::function<bool(std::string_view)>& on_line) {
  net::io_context io;
  tcp::resolver resolver(io);
  try {
    auto addresses = resolver.resolve(host_, port_);
    if (!tls_) {
      tcp::socket socket(io);
      net::connect(socket, addresses);
      return exchange(socket, target, &on_line);
    }
    net::ssl::context context(net::ssl::context::tls_client);
    if (!endpoint_.ca_pem.empty())
      context.add_certificate_authority(net::buffer(endpoint_.ca_pem));
    else
      context.set_default_verify_paths();
    if (!endpoint_.client_cert_pem.empty()) {
      context.use_certificate_chain(net::buffer(endpoint_.client_cert_pem));
      context.use_private_key(net::buffer(endpoint_.client_key_pem), net::ssl::context::pem);
    }
    net::ssl::stream<tcp::socket> stream(io, context);
    if (endpoint_.insecure) {
      stream.set_verify_mode(net::ssl::verify_none);
    } else {
      stream.set_verify_mode(net::ssl::verify_peer);
      stream.set_verify_callback(net::ssl::host_name_verification(host_));
    }
    SSL_set_tlsext_host_name(stream.native_handle(), host_.c_str());
    net::connect(stream.next_layer(), addresses);
    stream.handshake(net::ssl::stream_base::client);
    return exchange(stream, target, &on_line);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot talk to the API server " + endpoint_.server + ": " + e.code().message() +
                             " (is it running, and is the kubeconfig's certificate-authority its CA?)");
  }
}

HttpAnswer ApiHttpClient::get(const std::string& target) {
  return get_lines(target, nullptr);
}

}  // namespace skiff::kernel
