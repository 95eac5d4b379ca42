// What the proxy does with one request whose header has been read: route it, then redirect to
// https, refuse it (404, 503, 413) or forward it; then tell the access log and metrics.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "client_request.hpp"

namespace skiff::ingress {

// Returns whether the client connection may serve another request.
template <class ClientStream>
boost::asio::awaitable<bool> handle_request(ClientRequest<ClientStream>& request);

}  // namespace skiff::ingress
