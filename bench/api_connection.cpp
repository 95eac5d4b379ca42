#include "api_connection.hpp"

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>

namespace skiff::bench {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

ApiConnection::ApiConnection(int port, std::string token, std::chrono::milliseconds timeout)
    : port_(port), token_(std::move(token)), timeout_(timeout) {}

ApiConnection::~ApiConnection() = default;

bool ApiConnection::connect() {
  if (socket_ && socket_->is_open() && !stale_) return true;
  stale_ = false;
  socket_ = std::make_unique<tcp::socket>(io_);
  buffer_.clear();
  boost::system::error_code ec;
  socket_->connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)), ec);
  if (ec) {
    socket_.reset();
    return false;
  }
  socket_->set_option(tcp::no_delay(true));
  return true;
}

// Asynchronous on the connection's own io_context, so that the timeout holds (a blocking read
// would wait on regardless of SO_RCVTIMEO: Asio polls again when the socket times out).
int ApiConnection::post(const std::string& target, const std::string& json, std::string* body) {
  if (!connect()) return 0;
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::authorization, "Bearer " + token_);
  request.set(http::field::content_type, "application/json");
  request.keep_alive(true);
  request.body() = json;
  request.prepare_payload();
  http::response<http::string_body> response;
  boost::system::error_code result;
  bool done = false;
  http::async_write(*socket_, request, [&](boost::system::error_code ec, std::size_t) {
    if (ec) {
      result = ec;
      done = true;
      return;
    }
    http::async_read(*socket_, buffer_, response, [&](boost::system::error_code read_ec, std::size_t) {
      result = read_ec;
      done = true;
    });
  });
  io_.restart();
  io_.run_for(timeout_);
  if (!done) {
    socket_->close();  // the pending operation ends (aborted) before its buffers go
    io_.restart();
    io_.run();
    socket_.reset();
    return 0;
  }
  if (result || !response.keep_alive()) socket_.reset();  // the next call connects again
  if (body && !result) *body = response.body();
  return result ? 0 : static_cast<int>(response.result_int());
}

void ApiConnection::interrupt() {
  if (socket_) ::shutdown(socket_->native_handle(), SHUT_RDWR);
}

int ApiConnection::watch(const std::string& target, const std::function<bool(const std::string&)>& on_line) {
  if (!connect()) return 0;
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::authorization, "Bearer " + token_);
  request.set(http::field::accept, "application/json");
  boost::system::error_code ec;
  http::write(*socket_, request, ec);
  http::response_parser<http::empty_body> parser;
  parser.body_limit(boost::none);
  if (!ec) http::read_header(*socket_, buffer_, parser, ec);
  if (ec) {
    socket_.reset();
    return 0;
  }
  std::string pending;
  bool keep_going = true;
  auto on_chunk = [&](std::uint64_t, boost::beast::string_view body, boost::beast::error_code&) -> std::size_t {
    pending.append(body.data(), body.size());
    for (std::size_t newline; keep_going && (newline = pending.find('\n')) != std::string::npos;) {
      keep_going = on_line(pending.substr(0, newline));
      pending.erase(0, newline + 1);
    }
    return body.size();
  };
  parser.on_chunk_body(on_chunk);
  while (keep_going && !parser.is_done()) {
    http::read_some(*socket_, buffer_, parser, ec);
    if (ec) break;
  }
  int status = static_cast<int>(parser.get().result_int());
  stale_ = true;  // mid-stream: the next call connects again (interrupt() may still touch this socket)
  return status;
}

}  // namespace skiff::bench
