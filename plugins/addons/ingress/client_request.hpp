// One client request in flight: the client's stream and read buffer, the parser holding the
// request's header, who the client is, the worker serving it, and what the access log will say.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>

#include "forwarded_headers.hpp"
#include "proxy_observer.hpp"
#include "proxy_worker.hpp"
#include "simple_responses.hpp"

namespace skiff::ingress {

using PlainClientStream = boost::beast::tcp_stream;
using TlsClientStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

template <class ClientStream>
struct ClientRequest {
  ClientStream& stream;
  boost::beast::flat_buffer& buffer;
  RequestParser& parser;
  const ClientFacts& client;
  ProxyWorker& worker;
  bool client_keep_alive = false;  // what the client asked, before hop-by-hop fields go
  RequestRecord record;
};

// Writes a response the proxy made itself; returns whether the connection may serve another
// request (`response` says keep-alive and the write worked).
template <class ClientStream>
boost::asio::awaitable<bool> write_simple_response(ClientRequest<ClientStream>& request, SimpleResponse response) {
  request.record.status = response.result_int();
  request.record.response_body_bytes = response.body().size();
  boost::beast::get_lowest_layer(request.stream).expires_after(request.worker.shared.config.client_timeout);
  auto [error, size] = co_await boost::beast::http::async_write(request.stream, response, use_tuple);
  co_return !error && response.keep_alive();
}

}  // namespace skiff::ingress
