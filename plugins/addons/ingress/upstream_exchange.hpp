// Sending a routed request to one of its route's endpoints and relaying the answer: pooled
// connections (retried once on a fresh one when a pooled one was closed), streamed bodies,
// 101 then a byte tunnel, and 502/504/413 when the exchange fails.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "client_request.hpp"
#include "route_table.hpp"
#include "serving_state.hpp"

namespace skiff::ingress {

// Returns whether the client connection may serve another request.
template <class ClientStream>
boost::asio::awaitable<bool> forward_to_upstream(ClientRequest<ClientStream>& request, const ServingState& state,
                                                 const Route& route);

}  // namespace skiff::ingress
