// Routing decisions for one request, before and around the upstream exchange.
#include "request_handler.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/write.hpp>

#include "host_match.hpp"
#include "path_match.hpp"
#include "upstream_exchange.hpp"

namespace skiff::ingress {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

std::string https_location(const std::string& host, std::uint16_t port, std::string_view target) {
  std::string location = "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host);
  if (port != 443) location += ":" + std::to_string(port);
  return location + std::string(target);
}

template <class ClientStream>
asio::awaitable<void> send_continue(ClientRequest<ClientStream>& request) {
  static constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
  boost::beast::get_lowest_layer(request.stream).expires_after(request.worker.shared.config.client_timeout);
  co_await asio::async_write(request.stream, asio::buffer(interim), use_tuple);
}

// Everything after the route is known: the checks a matched route makes, then the exchange.
template <class ClientStream>
asio::awaitable<bool> serve_route(ClientRequest<ClientStream>& request, const ServingState& state, const RouteMatch& match) {
  auto& message = request.parser.get();
  unsigned version = message.version();
  bool keep = request.client_keep_alive && request.parser.is_done();
  const Route& route = *match.route;
  const RouteOptions& options = route.options;
  if (!request.client.tls && match.host_has_tls && options.ssl_redirect && !match.default_backend) {
    std::string location = https_location(request.record.host, request.worker.shared.https_port, message.target());
    co_return co_await write_simple_response(request, redirect_response(location, version, keep));
  }
  const BackendIdentity& backend = route.backend.identity;
  if (route.backend.endpoints.empty()) {
    std::string detail = "service " + backend.ingress_namespace + "/" + backend.service + " port " + backend.service_port +
                         " has no ready endpoint";
    co_return co_await write_simple_response(request, error_response(http::status::service_unavailable, detail, version, keep));
  }
  auto declared = request.parser.content_length();
  if (options.max_body_size != 0 && declared && *declared > options.max_body_size) {
    std::string detail = "request body of " + std::to_string(*declared) + " bytes over the limit of " +
                         std::to_string(options.max_body_size);
    co_return co_await write_simple_response(request, error_response(http::status::payload_too_large, detail, version, false));
  }
  if (options.max_body_size != 0) request.parser.body_limit(options.max_body_size);
  // The proxy answers 100-continue itself, as nginx does, and streams the body when it comes.
  if (boost::iequals(message[http::field::expect], "100-continue")) {
    message.erase(http::field::expect);
    co_await send_continue(request);
  }
  co_return co_await forward_to_upstream(request, state, route);
}

template <class ClientStream>
void report(ClientRequest<ClientStream>& request, const RouteMatch& match, Clock::time_point started) {
  auto& record = request.record;
  record.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  const ProxyShared& shared = request.worker.shared;
  if (shared.metrics) shared.metrics->count_request(match.route ? &match.route->backend.identity : nullptr, record.status);
  if (shared.access_log) shared.access_log->request_done(record);
}

}  // namespace

template <class ClientStream>
asio::awaitable<bool> handle_request(ClientRequest<ClientStream>& request) {
  auto started = Clock::now();
  // The table this request started with, kept to its end whatever is swapped in meanwhile.
  std::shared_ptr<const ServingState> state = request.worker.shared.state.load();
  auto& message = request.parser.get();
  auto& record = request.record;
  record.method = std::string(message.method_string());
  record.target = std::string(message.target());
  record.host = normalize_host(message[http::field::host]);
  record.request_id = add_forwarded_fields(message, request.client);
  RouteMatch match = state->table().match(record.host, request_path(record.target));
  bool keep;
  if (match.route) {
    record.backend = match.route->backend.identity;
    keep = co_await serve_route(request, *state, match);
  } else {
    std::string detail = "no route for host \"" + record.host + "\" and path " + std::string(request_path(record.target));
    keep = co_await write_simple_response(request, error_response(http::status::not_found, detail, message.version(),
                                                                  request.client_keep_alive && request.parser.is_done()));
  }
  report(request, match, started);
  co_return keep;
}

template asio::awaitable<bool> handle_request(ClientRequest<PlainClientStream>&);
template asio::awaitable<bool> handle_request(ClientRequest<TlsClientStream>&);

}  // namespace skiff::ingress
