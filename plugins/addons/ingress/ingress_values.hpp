// The ingress library's input: Ingress-like plain values (no protobufs), with Services already
// resolved to endpoint addresses and annotations already parsed into options.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace skiff::ingress {

// One ready endpoint of a backend Service.
struct Endpoint {
  std::string address;  // an IPv4 or IPv6 address, no brackets
  std::uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// "ip:port" ("[ip]:port" for IPv6), as logs and error bodies name an upstream.
std::string to_string(const Endpoint& endpoint);

// Who a backend is, for metrics and logs.
struct BackendIdentity {
  std::string ingress_namespace;
  std::string ingress_name;
  std::string service;
  std::string service_port;  // the number or the name the Ingress gave
  friend bool operator==(const BackendIdentity&, const BackendIdentity&) = default;
};

struct Backend {
  BackendIdentity identity;
  std::vector<Endpoint> endpoints;  // empty: the Service has no ready endpoint (503)
  friend bool operator==(const Backend&, const Backend&) = default;
};

// What an Ingress's annotations ask of every route it defines (defaults as ingress-nginx's).
struct RouteOptions {
  std::chrono::milliseconds read_timeout{60000};
  std::chrono::milliseconds connect_timeout{5000};
  std::uint64_t max_body_size = 1024 * 1024;  // bytes of request body; 0: no limit
  bool ssl_redirect = true;                   // 308 to https when the host has TLS
  friend bool operator==(const RouteOptions&, const RouteOptions&) = default;
};

enum class PathType { Exact, Prefix, ImplementationSpecific };

struct IngressPath {
  std::string path;  // starts with '/'
  PathType type = PathType::Prefix;
  Backend backend;
};

struct IngressRule {
  std::string host;  // "" (any host), "foo.example.com" or "*.example.com"
  std::vector<IngressPath> paths;
};

struct TlsCertificate {
  std::string certificate_pem;  // the chain, leaf first
  std::string private_key_pem;
  friend bool operator==(const TlsCertificate&, const TlsCertificate&) = default;
};

struct IngressTls {
  std::vector<std::string> hosts;  // exact or "*.wildcard"
  TlsCertificate certificate;
};

struct IngressValues {
  std::string namespace_name;
  std::string name;
  std::vector<IngressRule> rules;
  std::vector<IngressTls> tls;
  std::optional<Backend> default_backend;
  RouteOptions options;
};

}  // namespace skiff::ingress
