// The synthetic cluster's addresses and its ProxyState (see synthetic_services.hpp).
#include "synthetic_services.hpp"

#include <cstdio>
#include <stdexcept>

namespace skiff::bench {

namespace {

constexpr std::uint32_t kServiceBase = (10u << 24) | (96u << 16);   // 10.96.0.0/12
constexpr std::uint32_t kEndpointBase = (10u << 24) | (244u << 16);  // 10.244.0.0/16
constexpr std::uint32_t kEndpointSpace = 1u << 16;

proxy::ServicePort port_of(const SyntheticService& service) {
  proxy::ServicePort port;
  port.protocol = proxy::Protocol::tcp;
  port.port = kServicePort;
  port.cluster_ips = {service.cluster_ip};
  for (auto ip : service.endpoints) port.cluster_endpoints.push_back({ip, kTargetPort});
  port.external_endpoints = port.cluster_endpoints;
  return port;
}

}  // namespace

SyntheticCluster::SyntheticCluster(std::size_t services) {
  // Two endpoints each, then room for the changes' new addresses, all inside the /16.
  if (2 * services + 2 >= kEndpointSpace / 2) throw std::invalid_argument("at most 16,000 synthetic Services");
  services_.reserve(services);
  for (std::size_t i = 0; i < services; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "svc-%05zu", i);
    auto n = static_cast<std::uint32_t>(i);
    services_.push_back({name, kServiceBase + n + 1, {kEndpointBase + 2 * n + 2, kEndpointBase + 2 * n + 3}});
  }
  next_endpoint_ = kEndpointBase + 2 * static_cast<std::uint32_t>(services) + 2;
}

std::size_t SyntheticCluster::service_for_change(std::size_t change) const {
  return (change * 7919 + 13) % services_.size();  // a prime stride: every Service, no clustering
}

std::uint32_t SyntheticCluster::replace_endpoint(std::size_t service) {
  auto& slot = services_.at(service).endpoints[next_slot_++ % 2];
  std::uint32_t old = slot;
  slot = next_endpoint_++;
  if (next_endpoint_ >= kEndpointBase + kEndpointSpace - 1) throw std::length_error("synthetic endpoint addresses used up");
  return old;
}

std::string SyntheticCluster::proxy_key(const SyntheticService& service) { return "bench/" + service.name + ":http/TCP"; }

proxy::ProxyState SyntheticCluster::proxy_state() const {
  proxy::ProxyState state;
  for (const auto& service : services_) state.ports.emplace(proxy_key(service), port_of(service));
  return state;
}

void SyntheticCluster::update(proxy::ProxyState& state, std::size_t service) const {
  const auto& changed = services_.at(service);
  state.ports.at(proxy_key(changed)) = port_of(changed);
}

}  // namespace skiff::bench
