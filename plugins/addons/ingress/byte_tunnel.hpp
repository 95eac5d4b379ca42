// After a 101 Switching Protocols: bytes copied both ways between client and upstream until
// each side has finished, with whatever either side sent early passed on first. As nginx's
// proxy_read_timeout does for WebSockets, an upstream silent for the route's read timeout
// ends the tunnel (skiff.io/proxy-read-timeout raises it for long-lived idle sockets).
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

namespace skiff::ingress {

// Copies `from` to `to` until `from` ends; an end half-closes `to`, an error (or `from` silent
// for `idle`, when given) closes both.
template <class From, class To>
boost::asio::awaitable<void> copy_bytes(From& from, boost::beast::flat_buffer& early, To& to,
                                        std::optional<std::chrono::milliseconds> idle = std::nullopt) {
  constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
  auto& to_socket = boost::beast::get_lowest_layer(to).socket();
  auto& from_socket = boost::beast::get_lowest_layer(from).socket();
  boost::system::error_code ignored;
  if (early.size() > 0) {
    auto [error, size] = co_await boost::asio::async_write(to, early.data(), use_tuple);
    early.consume(early.size());
    if (error) {
      to_socket.close(ignored);
      from_socket.close(ignored);
      co_return;
    }
  }
  std::array<char, 16 * 1024> piece;
  while (true) {
    if (idle) boost::beast::get_lowest_layer(from).expires_after(*idle);
    auto [read_error, got] = co_await from.async_read_some(boost::asio::buffer(piece), use_tuple);
    if (got > 0) {
      auto [write_error, written] = co_await boost::asio::async_write(to, boost::asio::buffer(piece.data(), got), use_tuple);
      if (write_error) read_error = write_error;
    }
    if (read_error == boost::asio::error::eof || read_error == boost::asio::ssl::error::stream_truncated) {
      to_socket.shutdown(boost::asio::socket_base::shutdown_send, ignored);
      co_return;
    }
    if (read_error) {
      to_socket.close(ignored);
      from_socket.close(ignored);
      co_return;
    }
  }
}

template <class ClientStream, class UpstreamStream>
boost::asio::awaitable<void> tunnel_bytes(ClientStream& client, boost::beast::flat_buffer& client_early,
                                          UpstreamStream& upstream, boost::beast::flat_buffer& upstream_early,
                                          std::chrono::milliseconds upstream_idle) {
  using namespace boost::asio::experimental::awaitable_operators;
  boost::beast::get_lowest_layer(client).expires_never();
  boost::beast::get_lowest_layer(upstream).expires_never();
  co_await (copy_bytes(client, client_early, upstream) && copy_bytes(upstream, upstream_early, client, upstream_idle));
}

}  // namespace skiff::ingress
