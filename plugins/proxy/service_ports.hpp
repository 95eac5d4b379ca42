// Kubernetes' Service semantics, decided once: which Services the data plane serves, and for
// each port which endpoints take cluster and external traffic (ready before terminating,
// internal and external traffic policies, session affinity) — kube-proxy's categorisation.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxy_state.hpp"
#include "skiff/api/core/v1/service.pb.h"

namespace skiff::proxy {

// An EndpointSlice as the proxy reads it (conditions already defaulted as the API says:
// ready unset = true, serving unset = ready, terminating unset = false).
struct SliceEndpoint {
  std::string ip;
  bool ready = true;
  bool serving = true;
  bool terminating = false;
  std::string node;
};

struct SlicePort {
  std::string name;
  std::string protocol = "TCP";
  int port = 0;
};

struct SliceView {
  std::string address_type = "IPv4";
  std::vector<SlicePort> ports;
  std::vector<SliceEndpoint> endpoints;
};

struct TranslationOptions {
  std::string node;                        // "local" endpoints are those on it
  std::uint32_t default_affinity_seconds = 10800;  // Kubernetes' default ClientIP timeout
};

// "shop/web:http/TCP"; the prefix "shop/web:" names every port of a Service.
std::string service_port_key(const std::string& namespace_, const std::string& name, const std::string& port_name,
                             const std::string& protocol);
std::string service_key_prefix(const std::string& namespace_, const std::string& name);

// Does the data plane serve it? Not ExternalName, not headless, not without a ClusterIP.
bool proxied(const api::core::v1::Service& service);

// The Service's ports, keyed by service_port_key; empty for a Service not proxied (and for
// ports with a protocol the data plane does not carry).
std::map<std::string, ServicePort> service_ports(const api::core::v1::Service& service,
                                                 const std::vector<SliceView>& slices, const TranslationOptions& options);

// Which endpoints answer, given candidates already limited to a scope (all, or this node's):
// the ready ones, or — only when none is ready — those serving while terminating.
std::vector<Endpoint> usable_endpoints(const std::vector<std::pair<Endpoint, SliceEndpoint>>& candidates);

}  // namespace skiff::proxy
