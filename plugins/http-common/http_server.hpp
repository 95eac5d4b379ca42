// A small HTTP/1.1 server (Boost.Beast) for the apiserver and the kubelet: one thread per
// connection, keep-alive, TLS, bounded bodies, chunked streaming for watches and logs, and raw
// access after an Upgrade (exec).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <spdlog/logger.h>

#include "byte_stream.hpp"

namespace skiff::http_common {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string method_text;
  std::string target;
  std::string path;  // decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  boost::beast::http::fields headers;
  std::string body;
  std::string remote;

  std::string header(std::string_view name) const;
  std::vector<std::string> header_values(std::string_view name) const;
  // The comma-separated items of every such header, trimmed, empty ones dropped
  // (Sec-WebSocket-Protocol, X-Stream-Protocol-Version).
  std::vector<std::string> header_tokens(std::string_view name) const;
  bool has_query(std::string_view name) const;
  std::string query_value(std::string_view name) const;  // "" when absent
  std::vector<std::string> query_values(std::string_view name) const;
};

// Answers one request: either send() once, or begin_stream() + write_chunk()… + end_stream(),
// or upgrade() and then speak the new protocol on the raw connection.
class HttpResponder : public ByteStream {
 public:
  virtual void send(unsigned status, std::string_view content_type, std::string body, const HeaderList& headers = {}) = 0;
  virtual bool begin_stream(unsigned status, std::string_view content_type, const HeaderList& headers = {}) = 0;
  // False once the client is gone.
  virtual bool write_chunk(std::string_view data) = 0;
  virtual void end_stream() = 0;
  // True when the client closed its side (checked without blocking).
  virtual bool peer_closed() = 0;
  // Writes the 101 response; afterwards read_raw/write_raw (ByteStream) carry the upgraded protocol.
  virtual bool upgrade(const HeaderList& headers) = 0;
  // Ends an upgraded connection from another thread: a read_raw blocked on it returns 0.
  virtual void shutdown_raw() = 0;
  virtual bool sent() const = 0;
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponder&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 6443;
  std::string tls_cert_file;  // empty: plain HTTP
  std::string tls_key_file;
  std::size_t max_body = 3 * 1024 * 1024;
  int max_connections = 2048;
  std::chrono::seconds idle_timeout{120};
  // Names the setting that chose host:port, for the error when it is taken.
  std::string address_setting = "the apiserver's `address`";
  // Called after each request is answered (for metrics), with the time from its arrival.
  std::function<void(const HttpRequest&, unsigned status, std::chrono::steady_clock::duration elapsed)> on_complete;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler, spdlog::logger& log);
  ~HttpServer();
  // Binds (throws std::runtime_error naming the address) and starts accepting.
  void start();
  void stop();
  int port() const { return port_; }

 private:
  void accept_loop();
  void serve(boost::asio::ip::tcp::socket socket);

  HttpServerOptions options_;
  HttpHandler handler_;
  spdlog::logger& log_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_thread_;
  std::mutex connections_mutex_;
  std::condition_variable connections_done_;
  std::set<int> connection_fds_;
  int active_ = 0;
};

// Percent-decoding for paths and query strings.
std::string url_decode(std::string_view text, bool plus_is_space);

}  // namespace skiff::http_common
