// One request's exchange with an upstream endpoint, from connection to the response's end.
#include "upstream_exchange.hpp"

#include <optional>

#include "body_relay.hpp"
#include "byte_tunnel.hpp"

namespace skiff::ingress {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using ResponseParser = http::response_parser<http::buffer_body>;

bool is_idempotent(http::verb method) {
  using enum http::verb;
  return method == get || method == head || method == options || method == trace || method == put || method == delete_;
}

// How a pooled connection the upstream had already closed shows itself.
bool closed_before_answer(boost::system::error_code error) {
  return error == http::error::end_of_stream || error == asio::error::eof || error == asio::error::connection_reset ||
         error == asio::error::broken_pipe;
}

template <class ClientStream>
class UpstreamExchange {
 public:
  UpstreamExchange(ClientRequest<ClientStream>& request, const ServingState& state, const Route& route)
      : request_(request),
        route_(route),
        endpoint_(state.next_endpoint(route)),
        client_timeout_(request.worker.shared.config.client_timeout) {
    request_.record.upstream = to_string(endpoint_);
  }

  asio::awaitable<bool> run() {
    prepare_request();
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool fresh = attempt > 0;
      if (fresh) upstream_.reset();
      else take_pooled();
      if (!upstream_) {
        if (auto error = co_await connect()) co_return co_await fail(error, "connect");
      }
      RelayResult sent = co_await relay_message(request_.stream, request_.buffer, request_.parser, *upstream_,
                                                RelayTimeouts{client_timeout_, route_.options.read_timeout});
      if (sent.error && sent.failed_reading) co_return co_await client_body_failed(sent.error);
      if (sent.error && !(pooled_ && retryable_)) co_return co_await fail(sent.error, "send");
      if (sent.error) continue;
      auto sent_at = Clock::now();
      auto error = co_await read_response_header();
      if (error && pooled_ && retryable_ && !response_->got_some() && closed_before_answer(error)) continue;
      if (error) co_return co_await fail(error, "read");
      observe_latency(Clock::now() - sent_at);
      if (response_->get().result() == http::status::switching_protocols && upgrade_) co_return co_await switch_protocols();
      co_return co_await relay_response();
    }
    co_return co_await fail(asio::error::connection_reset, "send");
  }

 private:
  void prepare_request() {
    auto& message = request_.parser.get();
    upgrade_ = asks_for_upgrade(message);
    remove_hop_by_hop(message, upgrade_);
    message.version(11);
    retryable_ = is_idempotent(message.method()) && request_.parser.is_done();
  }

  void take_pooled() {
    // tcp_stream moves by construction only.
    if (auto pooled = request_.worker.pool.take(endpoint_)) upstream_.emplace(std::move(*pooled));
    pooled_ = upstream_.has_value();
  }

  asio::awaitable<boost::system::error_code> connect() {
    pooled_ = false;
    upstream_buffer_.consume(upstream_buffer_.size());
    upstream_.emplace(request_.worker.io.get_executor());
    boost::system::error_code error;
    auto address = asio::ip::make_address(endpoint_.address, error);
    if (error) co_return error;
    upstream_->expires_after(route_.options.connect_timeout);
    auto [connect_error] = co_await upstream_->async_connect(asio::ip::tcp::endpoint(address, endpoint_.port), use_tuple);
    if (!connect_error) upstream_->socket().set_option(asio::ip::tcp::no_delay(true), error);
    co_return connect_error;
  }

  // The final response's header; interim 1xx answers (other than 101) are passed over.
  asio::awaitable<boost::system::error_code> read_response_header() {
    while (true) {
      response_.emplace();
      response_->body_limit(boost::none);
      if (request_.parser.get().method() == http::verb::head) response_->skip(true);
      upstream_->expires_after(route_.options.read_timeout);
      auto [error, size] = co_await http::async_read_header(*upstream_, upstream_buffer_, *response_, use_tuple);
      if (error) co_return error;
      unsigned status = response_->get().result_int();
      if (status < 100 || status >= 200 || status == 101) co_return error;
    }
  }

  void observe_latency(Clock::duration latency) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency);
    request_.record.upstream_latency = micros;
    if (auto* metrics = request_.worker.shared.metrics) metrics->observe_upstream_latency(route_.backend.identity, micros);
  }

  asio::awaitable<bool> relay_response() {
    auto& message = response_->get();
    remove_hop_by_hop(message, false);
    bool keep_client = frame_for_client(message);
    request_.record.status = message.result_int();
    RelayResult relayed = co_await relay_message(*upstream_, upstream_buffer_, *response_, request_.stream,
                                                 RelayTimeouts{route_.options.read_timeout, client_timeout_});
    request_.record.response_body_bytes = relayed.body_bytes;
    if (!relayed.header_written) request_.record.status = 0;
    // A response cut short leaves both connections unusable: the client sees the close.
    if (relayed.error) co_return false;
    if (response_->keep_alive() && response_->is_done()) request_.worker.pool.give_back(endpoint_, std::move(*upstream_));
    co_return keep_client;
  }

  // Sets the response's version and framing for the client; returns whether the client
  // connection can carry another request after it.
  bool frame_for_client(http::response<http::buffer_body>& message) {
    unsigned version = request_.parser.get().version() >= 11 ? 11 : 10;
    bool keep = request_.client_keep_alive;
    unsigned status = message.result_int();
    bool has_body = !response_->skip() && status != 204 && status != 304 && status / 100 != 1;
    bool delimited = message.has_content_length() || message.chunked();
    if (has_body && !delimited && version >= 11) message.chunked(true);
    if (has_body && !delimited && version < 11) keep = false;
    if (version < 11 && message.chunked()) {
      message.chunked(false);  // an HTTP/1.0 client gets the body up to the close
      keep = false;
    }
    message.version(version);
    message.keep_alive(keep);
    return keep;
  }

  asio::awaitable<bool> switch_protocols() {
    remove_hop_by_hop(response_->get(), true);
    request_.record.status = 101;
    RelayResult relayed = co_await relay_message(*upstream_, upstream_buffer_, *response_, request_.stream,
                                                 RelayTimeouts{route_.options.read_timeout, client_timeout_});
    if (relayed.error) co_return false;
    co_await tunnel_bytes(request_.stream, request_.buffer, *upstream_, upstream_buffer_, route_.options.read_timeout);
    co_return false;
  }

  asio::awaitable<bool> client_body_failed(boost::system::error_code error) {
    upstream_.reset();
    if (error != http::error::body_limit) co_return false;  // the client left or sent a broken body
    std::string detail = "request body over " + std::to_string(route_.options.max_body_size) + " bytes";
    co_return co_await write_simple_response(
        request_, error_response(http::status::payload_too_large, detail, request_.parser.get().version(), false));
  }

  asio::awaitable<bool> fail(boost::system::error_code error, const std::string& step) {
    upstream_.reset();
    bool timed_out = error == beast::error::timeout;
    std::string detail = "upstream " + to_string(endpoint_) + " " + step + ": ";
    if (timed_out && step == "connect") detail += "no connection within " + std::to_string(route_.options.connect_timeout.count()) + " ms";
    else if (timed_out) detail += "no answer within " + std::to_string(route_.options.read_timeout.count()) + " ms";
    else if (error.category() == http::make_error_code(http::error::bad_version).category()) detail += "bad response (" + error.message() + ")";
    else detail += error.message();
    bool keep = request_.client_keep_alive && request_.parser.is_done();
    auto status = timed_out ? http::status::gateway_timeout : http::status::bad_gateway;
    co_return co_await write_simple_response(request_, error_response(status, detail, request_.parser.get().version(), keep));
  }

  ClientRequest<ClientStream>& request_;
  const Route& route_;
  const Endpoint& endpoint_;
  std::chrono::milliseconds client_timeout_;
  std::optional<beast::tcp_stream> upstream_;
  bool pooled_ = false;
  bool upgrade_ = false;
  bool retryable_ = false;
  beast::flat_buffer upstream_buffer_;
  std::optional<ResponseParser> response_;
};

}  // namespace

template <class ClientStream>
asio::awaitable<bool> forward_to_upstream(ClientRequest<ClientStream>& request, const ServingState& state, const Route& route) {
  UpstreamExchange<ClientStream> exchange(request, state, route);
  co_return co_await exchange.run();
}

template asio::awaitable<bool> forward_to_upstream(ClientRequest<PlainClientStream>&, const ServingState&, const Route&);
template asio::awaitable<bool> forward_to_upstream(ClientRequest<TlsClientStream>&, const ServingState&, const Route&);

}  // namespace skiff::ingress
