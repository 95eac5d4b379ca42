// What a request is served from: a route table, the TLS contexts of its certificates and the
// round-robin positions of its routes. Swapped whole; a request keeps the one it started with.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "route_table.hpp"
#include "tls_contexts.hpp"

namespace skiff::ingress {

class ServingState {
 public:
  // Reuses the TLS contexts of `previous` (may be null) for certificates it already had.
  ServingState(std::shared_ptr<const RouteTable> table, const ServingState* previous);

  const RouteTable& table() const { return *table_; }
  // The next of `route`'s endpoints in turn; the route must have one.
  const Endpoint& next_endpoint(const Route& route) const;
  // The context for a TLS host named by SNI, or null.
  SslContextPtr context_for(std::string_view server_name) const;
  // Certificates OpenSSL refused (their hosts get the default certificate).
  const std::vector<std::string>& tls_problems() const { return tls_.problems(); }

 private:
  std::shared_ptr<const RouteTable> table_;
  TlsContexts tls_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> turns_;  // by Route::index
};

}  // namespace skiff::ingress
