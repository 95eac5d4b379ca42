// Per-connection threads keep streaming (watch, logs -f, exec) simple: the handler blocks.
#include "http_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "skiff/sdk/gzip.hpp"

namespace skiff::http_common {

namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string HttpRequest::header(std::string_view name) const {
  auto it = headers.find(boost::beast::string_view(name.data(), name.size()));
  return it == headers.end() ? "" : std::string(it->value());
}

std::vector<std::string> HttpRequest::header_values(std::string_view name) const {
  std::vector<std::string> out;
  auto range = headers.equal_range(boost::beast::string_view(name.data(), name.size()));
  for (auto it = range.first; it != range.second; ++it) out.emplace_back(it->value());
  return out;
}

std::vector<std::string> HttpRequest::header_tokens(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& value : header_values(name)) {
    std::size_t at = 0;
    while (at <= value.size()) {
      std::size_t end = std::min(value.find(',', at), value.size());
      std::size_t first = value.find_first_not_of(" \t", at), last = value.find_last_not_of(" \t", end - 1);
      if (first < end && last != std::string::npos && last >= first) out.push_back(value.substr(first, last - first + 1));
      at = end + 1;
    }
  }
  return out;
}

bool HttpRequest::has_query(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return true;
  return false;
}

std::string HttpRequest::query_value(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return "";
}

std::vector<std::string> HttpRequest::query_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query)
    if (k == name) out.push_back(v);
  return out;
}

namespace {

HttpRequest to_request(const http::request<http::string_body>& raw, const std::string& remote) {
  HttpRequest request;
  request.method = raw.method();
  request.method_text = std::string(raw.method_string());
  request.target = std::string(raw.target());
  request.headers = raw.base();
  request.body = raw.body();
  request.remote = remote;
  std::string_view target = request.target;
  auto question = target.find('?');
  request.path = url_decode(target.substr(0, question), false);
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    std::size_t start = 0;
    while (start <= query.size()) {
      std::size_t amp = query.find('&', start);
      std::string_view part = query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
      if (!part.empty()) {
        auto eq = part.find('=');
        request.query.emplace_back(url_decode(part.substr(0, eq), true),
                                   eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1), true));
      }
      if (amp == std::string_view::npos) break;
      start = amp + 1;
    }
  }
  return request;
}

template <class Stream>
class Exchange final : public HttpResponder {
 public:
  Exchange(Stream& stream, tcp::socket& socket, boost::beast::flat_buffer& buffer, bool keep_alive,
           const std::atomic<bool>& stopping, bool accepts_gzip)
      : stream_(stream), socket_(socket), buffer_(buffer), keep_alive_(keep_alive), stopping_(stopping),
        accepts_gzip_(accepts_gzip) {}

  void send(unsigned status, std::string_view content_type, std::string body, const HeaderList& headers) override {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, boost::beast::string_view(content_type.data(), content_type.size()));
    for (const auto& [k, v] : headers) res.insert(k, v);
    if (worth_gzip(body) && res.find(http::field::content_encoding) == res.end()) {
      // As Kubernetes' apiserver does for large answers: a 1,000-pod list shrinks ~15×.
      if (std::string packed = sdk::gzip(body); !packed.empty()) {
        body = std::move(packed);
        res.set(http::field::content_encoding, "gzip");
        res.set(http::field::vary, "Accept-Encoding");
      }
    }
    res.keep_alive(keep_alive_);
    res.body() = std::move(body);
    res.prepare_payload();
    boost::system::error_code ec;
    http::write(stream_, res, ec);
    sent_ = true;
    status_ = status;
    if (ec) keep_alive_ = false;
  }

  bool begin_stream(unsigned status, std::string_view content_type, const HeaderList& headers) override {
    http::response<http::empty_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, boost::beast::string_view(content_type.data(), content_type.size()));
    res.set(http::field::cache_control, "no-cache, private");
    for (const auto& [k, v] : headers) res.insert(k, v);
    res.chunked(true);
    res.keep_alive(keep_alive_);
    http::response_serializer<http::empty_body> serializer{res};
    boost::system::error_code ec;
    http::write_header(stream_, serializer, ec);
    sent_ = true;
    status_ = status;
    streaming_ = !ec;
    if (ec) keep_alive_ = false;
    return !ec;
  }

  bool write_chunk(std::string_view data) override {
    if (!streaming_) return false;
    if (data.empty()) return true;  // an empty chunk would end the stream
    boost::system::error_code ec;
    net::write(stream_, http::make_chunk(net::buffer(data.data(), data.size())), ec);
    if (ec) {
      streaming_ = false;
      keep_alive_ = false;
    }
    return !ec;
  }

  void end_stream() override {
    if (!streaming_) return;
    boost::system::error_code ec;
    net::write(stream_, http::make_chunk_last(), ec);
    streaming_ = false;
    if (ec) keep_alive_ = false;
  }

  bool peer_closed() override {
    if (stopping_) return true;
    // The TCP state tells even when TLS bytes (a close_notify) are still unread: a client
    // that sent its FIN is gone, since watch clients never half-close.
    tcp_info info{};
    socklen_t length = sizeof info;
    if (getsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &length) == 0 &&
        info.tcpi_state != TCP_ESTABLISHED)
      return true;
    char byte;
    ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

  bool upgrade(const HeaderList& headers) override {
    http::response<http::empty_body> res{http::status::switching_protocols, 11};
    for (const auto& [k, v] : headers) res.insert(k, v);
    boost::system::error_code ec;
    http::write(stream_, res, ec);
    sent_ = true;
    status_ = 101;
    keep_alive_ = false;  // the connection belongs to the new protocol now
    return !ec;
  }

  std::size_t read_raw(void* data, std::size_t size) override {
    if (buffer_.size() > 0) {  // bytes the HTTP parser already read past the request
      std::size_t n = net::buffer_copy(net::buffer(data, size), buffer_.data());
      buffer_.consume(n);
      return n;
    }
    boost::system::error_code ec;
    std::size_t n = stream_.read_some(net::buffer(data, size), ec);
    return ec ? 0 : n;
  }

  bool write_raw(const void* data, std::size_t size) override {
    boost::system::error_code ec;
    net::write(stream_, net::buffer(data, size), ec);
    return !ec;
  }

  void shutdown_raw() override {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
  }

  bool sent() const override { return sent_; }
  unsigned status() const { return status_; }

  bool worth_gzip(const std::string& body) const { return accepts_gzip_ && body.size() >= sdk::kGzipWorthFrom; }
  bool keep_alive() const { return keep_alive_ && !streaming_; }

 private:
  Stream& stream_;
  tcp::socket& socket_;
  boost::beast::flat_buffer& buffer_;
  bool keep_alive_;
  const std::atomic<bool>& stopping_;
  bool accepts_gzip_;
  bool sent_ = false;
  unsigned status_ = 0;
  bool streaming_ = false;
};

const char* kTooLarge =
    R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the request body is larger than the server accepts","reason":"RequestEntityTooLarge","code":413})json";

template <class Stream>
void serve_stream(Stream& stream, tcp::socket& socket, const HttpHandler& handler, const HttpServerOptions& options,
                  const std::string& remote, spdlog::logger& log, const std::atomic<bool>& stopping) {
  boost::beast::flat_buffer buffer;
  while (true) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(options.max_body);
    parser.header_limit(64 * 1024);
    boost::system::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec == http::error::body_limit) {
      http::response<http::string_body> res{http::status::payload_too_large, 11};
      res.set(http::field::content_type, "application/json");
      res.body() = kTooLarge;
      res.keep_alive(false);
      res.prepare_payload();
      http::write(stream, res, ec);
      return;
    }
    if (ec) return;  // closed, timed out or garbage: drop the connection
    auto raw = parser.release();
    HttpRequest request = to_request(raw, remote);
    auto started = std::chrono::steady_clock::now();
    Exchange<Stream> exchange(stream, socket, buffer, raw.keep_alive(), stopping,
                              sdk::accepts_gzip(request.header("Accept-Encoding")));
    HttpResponder& responder = exchange;
    try {
      handler(request, responder);
    } catch (const std::exception& e) {
      log.error("{} {}: {}", request.method_text, request.target, e.what());
      if (!exchange.sent())
        responder.send(500, "application/json",
                      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"internal error","reason":"InternalError","code":500})");
    }
    if (!exchange.sent()) responder.send(500, "text/plain", "no response");
    if (options.on_complete) options.on_complete(request, exchange.status(), std::chrono::steady_clock::now() - started);
    if (!exchange.keep_alive()) return;
  }
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler, spdlog::logger& log)
    : options_(std::move(options)), handler_(std::move(handler)), log_(log) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  if (!options_.tls_cert_file.empty()) {
    tls_ = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    tls_->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    tls_->use_certificate_chain_file(options_.tls_cert_file);
    tls_->use_private_key_file(options_.tls_key_file, net::ssl::context::pem);
  }
  tcp::endpoint endpoint(net::ip::make_address(options_.host), static_cast<unsigned short>(options_.port));
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  boost::system::error_code ec;
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                             ec.message() + "; set " + options_.address_setting + " to a free one");
  port_ = acceptor_->local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

void HttpServer::accept_loop() {
  while (!stopping_) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_->accept(socket, ec);
    if (ec) {
      if (stopping_) return;
      continue;
    }
    std::unique_lock lock(connections_mutex_);
    if (active_ >= options_.max_connections) {
      socket.close();
      continue;
    }
    ++active_;
    connection_fds_.insert(socket.native_handle());
    lock.unlock();
    std::thread([this, s = std::move(socket)]() mutable { serve(std::move(s)); }).detach();
  }
}

void HttpServer::serve(tcp::socket socket) {
  int fd = socket.native_handle();
  std::string remote;
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (!ec) remote = peer.address().to_string();
  socket.set_option(tcp::no_delay(true), ec);
  timeval idle{static_cast<time_t>(options_.idle_timeout.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
  try {
    if (tls_) {
      net::ssl::stream<tcp::socket&> stream(socket, *tls_);
      stream.handshake(net::ssl::stream_base::server, ec);
      if (!ec) serve_stream(stream, socket, handler_, options_, remote, log_, stopping_);
    } else {
      serve_stream(socket, socket, handler_, options_, remote, log_, stopping_);
    }
  } catch (const std::exception& e) {
    log_.debug("connection from {}: {}", remote, e.what());
  }
  socket.close(ec);
  std::lock_guard lock(connections_mutex_);
  connection_fds_.erase(fd);
  if (--active_ == 0) connections_done_.notify_all();
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_) {
    boost::system::error_code ec;
    ::shutdown(acceptor_->native_handle(), SHUT_RDWR);
    acceptor_->close(ec);
  }
  if (acceptor_thread_.joinable()) acceptor_thread_.join();
  std::unique_lock lock(connections_mutex_);
  for (int fd : connection_fds_) ::shutdown(fd, SHUT_RDWR);  // wakes blocked reads and writes
  connections_done_.wait_for(lock, std::chrono::seconds(10), [&] { return active_ == 0; });
}

}  // namespace skiff::http_common
