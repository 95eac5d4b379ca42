// Round-robin over a route's endpoints and SNI lookups against one route table.
#include "serving_state.hpp"

#include "host_match.hpp"

namespace skiff::ingress {

ServingState::ServingState(std::shared_ptr<const RouteTable> table, const ServingState* previous)
    : table_(std::move(table)),
      tls_(table_->certificates(), previous ? &previous->tls_ : nullptr),
      turns_(std::make_unique<std::atomic<std::uint64_t>[]>(table_->route_count())) {}

const Endpoint& ServingState::next_endpoint(const Route& route) const {
  std::uint64_t turn = turns_[route.index].fetch_add(1, std::memory_order_relaxed);
  return route.backend.endpoints[turn % route.backend.endpoints.size()];
}

SslContextPtr ServingState::context_for(std::string_view server_name) const {
  const TlsCertificate* certificate = table_->certificate_for(normalize_host(server_name));
  return certificate ? tls_.find(*certificate) : nullptr;
}

}  // namespace skiff::ingress
