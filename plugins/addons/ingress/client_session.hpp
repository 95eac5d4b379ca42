// One client connection: the TLS handshake when the listener has TLS, then requests one after
// another while the client keeps the connection alive.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "proxy_worker.hpp"

namespace skiff::ingress {

boost::asio::awaitable<void> serve_plain_client(boost::asio::ip::tcp::socket socket, ProxyWorker& worker);
boost::asio::awaitable<void> serve_tls_client(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context,
                                              ProxyWorker& worker);

}  // namespace skiff::ingress
