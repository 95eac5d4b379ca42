// Service ports for the proxy tests, written the way the translation would produce them.
#pragma once

#include <string>
#include <vector>

#include "proxy_state.hpp"
#include "skiff/sdk/cidr.hpp"

namespace skiff::test {

inline std::uint32_t ip(const char* text) { return *sdk::parse_ipv4(text); }

inline proxy::ServicePort cluster_port(const char* cluster_ip, std::uint16_t port, std::vector<proxy::Endpoint> endpoints,
                                       proxy::Protocol protocol = proxy::Protocol::tcp) {
  proxy::ServicePort service;
  service.protocol = protocol;
  service.port = port;
  service.cluster_ips = {ip(cluster_ip)};
  service.cluster_endpoints = std::move(endpoints);
  return service;
}

// A NodePort (and LoadBalancer-like external IP) port with externalTrafficPolicy Cluster.
inline proxy::ServicePort node_port(const char* cluster_ip, std::uint16_t port, std::uint16_t node_port,
                                    std::vector<proxy::Endpoint> endpoints) {
  proxy::ServicePort service = cluster_port(cluster_ip, port, endpoints);
  service.node_port = node_port;
  service.external_endpoints = std::move(endpoints);
  return service;
}

inline proxy::TableOptions lab_options(const std::string& table = "skiff-proxy-test") {
  proxy::TableOptions options;
  options.table = table;
  options.cluster_cidr = sdk::Ipv4Cidr::parse("10.244.0.0/16");
  return options;
}

}  // namespace skiff::test
