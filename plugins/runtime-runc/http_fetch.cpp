#include "http_fetch.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr int kMaxRedirects = 5;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

sdk::Error unreachable(const Url& url, const std::string& why) {
  return sdk::Error(sdk::Status{502, "BadGateway", "GET " + url.text() + ": " + why});
}

template <class Body>
void fill_result(http::response<Body>& response, HttpResult& result) {
  result.status = static_cast<int>(response.result_int());
  for (const auto& field : response) result.headers[lower(std::string(field.name_string()))] = std::string(field.value());
}

// Reads the response head, then its body into memory or a file (a 2xx body only when a file is
// wanted: error bodies are small and worth reading).
template <class Stream>
HttpResult exchange(Stream& stream, const HttpRequest& request) {
  http::request<http::empty_body> get{http::verb::get, request.url.target, 11};
  get.set(http::field::host, request.url.host + ":" + request.url.port);
  get.set(http::field::user_agent, "skiff-runtime-runc");
  for (const auto& [name, value] : request.headers) get.set(name, value);
  http::write(stream, get);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> head;
  head.body_limit(boost::none);
  http::read_header(stream, buffer, head);
  int status = static_cast<int>(head.get().result_int());
  HttpResult result;
  if (request.body_file && status >= 200 && status < 300) {
    http::response_parser<http::file_body> parser(std::move(head));
    beast::error_code ec;
    parser.get().body().open(request.body_file->c_str(), beast::file_mode::write, ec);
    if (ec) throw sdk::Error(sdk::Status::Internal("cannot write " + *request.body_file + ": " + ec.message()));
    http::read(stream, buffer, parser);
    fill_result(parser.get(), result);
  } else {
    http::response_parser<http::string_body> parser(std::move(head));
    parser.body_limit(64 * 1024 * 1024);
    http::read(stream, buffer, parser);
    fill_result(parser.get(), result);
    result.body = std::move(parser.get().body());
  }
  return result;
}

HttpResult fetch_once(const HttpRequest& request) {
  asio::io_context io;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(request.url.host, request.url.port);
  if (!request.url.tls) {
    beast::tcp_stream stream(io);
    stream.expires_after(request.timeout);
    stream.connect(endpoints);
    auto result = exchange(stream, request);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return result;
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  SSL_set_tlsext_host_name(stream.native_handle(), request.url.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(request.url.host));
  beast::get_lowest_layer(stream).expires_after(request.timeout);
  beast::get_lowest_layer(stream).connect(endpoints);
  stream.handshake(asio::ssl::stream_base::client);
  return exchange(stream, request);
}

}  // namespace

Url Url::parse(const std::string& text) {
  Url url;
  std::string rest;
  if (text.rfind("https://", 0) == 0) rest = text.substr(8);
  else if (text.rfind("http://", 0) == 0) url.tls = false, rest = text.substr(7);
  else throw sdk::Error(sdk::Status::BadRequest("not an http(s) URL: " + text));
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  url.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    url.host = authority.substr(0, colon);
    url.port = authority.substr(colon + 1);
  } else {
    url.host = authority;
    url.port = url.tls ? "443" : "80";
  }
  if (url.host.size() > 2 && url.host.front() == '[') url.host = url.host.substr(1, url.host.size() - 2);
  if (url.host.empty()) throw sdk::Error(sdk::Status::BadRequest("no host in URL " + text));
  return url;
}

std::string Url::text() const {
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (tls ? "https://" : "http://") + host_part + ":" + port + target;
}

HttpResult http_get(const HttpRequest& request) {
  HttpRequest current = request;
  for (int hop = 0;; ++hop) {
    HttpResult result;
    try {
      result = fetch_once(current);
    } catch (const sdk::Error&) {
      throw;
    } catch (const std::exception& e) {
      if (current.body_file) std::filesystem::remove(*current.body_file);
      throw unreachable(current.url, e.what());
    }
    bool redirect = result.status == 301 || result.status == 302 || result.status == 303 || result.status == 307 ||
                    result.status == 308;
    if (!redirect) return result;
    if (hop >= kMaxRedirects) throw unreachable(request.url, "more than 5 redirects");
    std::string location = result.header("location");
    if (location.empty()) throw unreachable(current.url, "a redirect without a Location");
    if (location.front() == '/') current.url.target = location;
    else current.url = Url::parse(location);
    current.headers.erase("Authorization");  // credentials stay with the registry, not its storage
  }
}

}  // namespace skiff::runc
