// The request loop of a client connection, over plain TCP or TLS.
#include "client_session.hpp"

#include "client_request.hpp"
#include "request_handler.hpp"

namespace skiff::ingress {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t header_limit = 64 * 1024;

// Counts the connection for ProxyServer::client_connections while it lives.
class ConnectionCount {
 public:
  explicit ConnectionCount(const ProxyShared& shared) : count_(shared.client_connections) { ++count_; }
  ~ConnectionCount() { --count_; }

 private:
  std::atomic<std::size_t>& count_;
};

bool is_malformed_request(boost::system::error_code error) {
  return error.category() == http::make_error_code(http::error::bad_version).category() &&
         error != http::error::end_of_stream && error != http::error::partial_message;
}

ClientFacts facts_of(const asio::ip::tcp::socket& socket, bool tls) {
  boost::system::error_code error, local_error;
  auto remote = socket.remote_endpoint(error);
  auto local = socket.local_endpoint(local_error);
  return {error ? std::string() : remote.address().to_string(), tls, local_error ? std::uint16_t(0) : local.port()};
}

template <class ClientStream>
asio::awaitable<void> refuse_malformed(ClientStream& stream, boost::system::error_code error, const ProxyWorker& worker) {
  auto status = error == http::error::header_limit ? http::status::request_header_fields_too_large : http::status::bad_request;
  SimpleResponse response = error_response(status, error.message(), 11, false);
  beast::get_lowest_layer(stream).expires_after(worker.shared.config.client_timeout);
  co_await http::async_write(stream, response, use_tuple);
}

template <class ClientStream>
asio::awaitable<void> serve_requests(ClientStream& stream, const ClientFacts& client, ProxyWorker& worker) {
  beast::flat_buffer buffer;
  while (true) {
    RequestParser parser;
    parser.header_limit(header_limit);
    parser.body_limit(boost::none);  // set per route once the route is known
    beast::get_lowest_layer(stream).expires_after(worker.shared.config.client_timeout);
    auto [error, size] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (error) {
      if (is_malformed_request(error)) co_await refuse_malformed(stream, error, worker);
      co_return;
    }
    ClientRequest<ClientStream> request{stream, buffer, parser, client, worker, parser.keep_alive(), {}};
    if (!co_await handle_request(request)) co_return;
  }
}

}  // namespace

asio::awaitable<void> serve_plain_client(asio::ip::tcp::socket socket, ProxyWorker& worker) {
  ConnectionCount counted(worker.shared);
  ClientFacts client = facts_of(socket, false);
  beast::tcp_stream stream(std::move(socket));
  co_await serve_requests(stream, client, worker);
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::socket_base::shutdown_send, ignored);
}

asio::awaitable<void> serve_tls_client(asio::ip::tcp::socket socket, asio::ssl::context& context, ProxyWorker& worker) {
  ConnectionCount counted(worker.shared);
  ClientFacts client = facts_of(socket, true);
  TlsClientStream stream(beast::tcp_stream(std::move(socket)), context);
  beast::get_lowest_layer(stream).expires_after(worker.shared.config.client_timeout);
  auto [handshake_error] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
  if (handshake_error) co_return;
  co_await serve_requests(stream, client, worker);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
  co_await stream.async_shutdown(use_tuple);
}

}  // namespace skiff::ingress
