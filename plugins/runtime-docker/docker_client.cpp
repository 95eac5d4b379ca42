#include "docker_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "skiff/sdk/status.hpp"

namespace skiff::docker {

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using local = net::local::stream_protocol;

namespace {

void set_timeouts(local::socket& socket, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

http::verb verb_of(std::string_view method) {
  http::verb v = http::string_to_verb(boost::beast::string_view(method.data(), method.size()));
  return v == http::verb::unknown ? http::verb::get : v;
}

struct Connection {
  net::io_context io;
  local::socket socket{io};
};

std::unique_ptr<Connection> connect(const std::string& path, std::chrono::milliseconds timeout) {
  auto c = std::make_unique<Connection>();
  boost::system::error_code ec;
  c->socket.connect(local::endpoint(path), ec);
  if (ec)
    throw sdk::Error(sdk::Status::Unavailable("docker: cannot reach " + path + " (" + ec.message() +
                                              "); is dockerd running? Start it with `dockerd &` as root"));
  set_timeouts(c->socket, timeout);
  return c;
}

http::request<http::string_body> make_request(std::string_view method, const std::string& target,
                                              const std::optional<json::value>& body) {
  http::request<http::string_body> req{verb_of(method), target, 11};
  req.set(http::field::host, "docker");
  req.set(http::field::user_agent, "skiff-runtime-docker");
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = json::serialize(*body);
  }
  req.prepare_payload();
  return req;
}

void check(const boost::system::error_code& ec, const std::string& what) {
  if (ec) throw sdk::Error(sdk::Status::Unavailable("docker: " + what + ": " + ec.message()));
}

}  // namespace

json::value Response::json() const {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  return ec ? json::value(nullptr) : v;
}

std::string Response::message() const {
  auto v = json();
  if (v.is_object())
    if (const auto* m = v.as_object().if_contains("message"); m && m->is_string()) return std::string(m->as_string());
  std::string text = body;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

DockerClient::DockerClient(std::string socket_path, std::string api_version, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), api_version_(std::move(api_version)), timeout_(timeout) {}

Response DockerClient::call(std::string_view method, const std::string& target, const std::optional<json::value>& body) const {
  return call(method, target, timeout_, body);
}

Response DockerClient::call(std::string_view method, const std::string& target, std::chrono::milliseconds timeout,
                            const std::optional<json::value>& body) const {
  auto c = connect(socket_path_, timeout);
  auto req = make_request(method, path(target), body);
  boost::system::error_code ec;
  http::write(c->socket, req, ec);
  check(ec, std::string(method) + " " + target);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(c->socket, buffer, parser, ec);
  check(ec, std::string(method) + " " + target);
  Response r;
  r.status = parser.get().result_int();
  r.body = std::move(parser.get().body());
  return r;
}

unsigned DockerClient::stream(std::string_view method, const std::string& target, const std::optional<json::value>& body,
                              const std::function<bool(std::string_view)>& on_data,
                              const std::function<bool()>& stopped,
                              const std::function<void(std::function<void()>)>& cancel_with) const {
  std::shared_ptr<Connection> c = connect(socket_path_, std::chrono::milliseconds(1000));
  if (cancel_with)
    cancel_with([c] {
      boost::system::error_code ignored;
      c->socket.shutdown(local::socket::shutdown_both, ignored);  // the blocked read returns
    });
  auto req = make_request(method, path(target), body);
  boost::system::error_code ec;
  http::write(c->socket, req, ec);
  check(ec, std::string(method) + " " + target);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  do {
    http::read_header(c->socket, buffer, parser, ec);
  } while ((ec == net::error::would_block || ec == net::error::try_again) && !stopped());
  if (stopped()) return 0;
  check(ec, std::string(method) + " " + target);
  unsigned status = parser.get().result_int();
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    // read_some: return with what has come (a followed log trickles; read() would wait
    // for the whole buffer).
    http::read_some(c->socket, buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec == net::error::would_block || ec == net::error::try_again) {
      if (stopped()) break;
      ec = {};
      std::size_t got = sizeof chunk - parser.get().body().size;
      if (got > 0 && !on_data(std::string_view(chunk, got))) break;
      continue;
    }
    if (ec) break;  // the daemon closed the stream
    std::size_t got = sizeof chunk - parser.get().body().size;
    if (got > 0 && !on_data(std::string_view(chunk, got))) break;
    if (stopped()) break;
  }
  return status;
}

namespace {

class HijackedStream final : public RawStream {
 public:
  HijackedStream(std::unique_ptr<Connection> c, std::string leftover) : c_(std::move(c)), leftover_(std::move(leftover)) {}
  std::size_t read(char* data, std::size_t size) override {
    if (!leftover_.empty()) {
      std::size_t n = std::min(size, leftover_.size());
      std::memcpy(data, leftover_.data(), n);
      leftover_.erase(0, n);
      return n;
    }
    boost::system::error_code ec;
    std::size_t n = c_->socket.read_some(net::buffer(data, size), ec);
    if (ec == net::error::eof) return 0;
    if (ec == net::error::would_block || ec == net::error::try_again)
      throw sdk::Error(sdk::Status::Timeout("docker: the exec stream went quiet"));
    if (ec == net::error::shut_down || ec == net::error::connection_aborted || ec == net::error::bad_descriptor) return 0;
    check(ec, "reading an exec stream");
    return n;
  }
  void write(std::string_view data) override {
    boost::system::error_code ec;
    net::write(c_->socket, net::buffer(data.data(), data.size()), ec);
    check(ec, "writing an exec stream");
  }
  void close_write() override {
    boost::system::error_code ec;
    c_->socket.shutdown(local::socket::shutdown_send, ec);
  }
  void shutdown() override {
    boost::system::error_code ec;
    c_->socket.shutdown(local::socket::shutdown_both, ec);
  }

 private:
  std::unique_ptr<Connection> c_;
  std::string leftover_;
};

}  // namespace

std::unique_ptr<RawStream> DockerClient::hijack(const std::string& target, const json::value& body) const {
  auto c = connect(socket_path_, std::chrono::hours(24));
  auto req = make_request("POST", path(target), body);
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::upgrade, "tcp");
  boost::system::error_code ec;
  http::write(c->socket, req, ec);
  check(ec, "POST " + target);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  http::read_header(c->socket, buffer, parser, ec);
  check(ec, "POST " + target);
  unsigned status = parser.get().result_int();
  if (status != 101 && status != 200)
    throw sdk::Error(sdk::Status{static_cast<int>(status), "DockerError", "docker: exec start answered " + std::to_string(status)});
  std::string leftover(static_cast<const char*>(buffer.data().data()), buffer.size());
  return std::make_unique<HijackedStream>(std::move(c), std::move(leftover));
}

void Demultiplexer::feed(std::string_view data) {
  pending_.append(data);
  std::size_t at = 0;
  while (pending_.size() - at >= 8) {
    auto header = reinterpret_cast<const unsigned char*>(pending_.data() + at);
    std::size_t length = (std::size_t(header[4]) << 24) | (std::size_t(header[5]) << 16) | (std::size_t(header[6]) << 8) |
                         std::size_t(header[7]);
    if (pending_.size() - at - 8 < length) break;
    out_(header[0] == 2 ? 2 : 1, std::string_view(pending_.data() + at + 8, length));
    at += 8 + length;
  }
  pending_.erase(0, at);
}

std::string url_escape(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace skiff::docker
