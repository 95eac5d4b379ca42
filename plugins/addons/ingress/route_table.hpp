// The routes of every Ingress merged by host, and the lookup a request makes: exact host before
// wildcard before any host, then the longest path (Exact before Prefix when equally long), then
// the default backend. Immutable once built; the proxy swaps whole tables.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingress_values.hpp"

namespace skiff::ingress {

struct Route {
  Backend backend;
  RouteOptions options;
  std::size_t index = 0;  // position in the table, 0 … route_count()-1 (for per-route state)
};

struct RouteMatch {
  const Route* route = nullptr;  // null: nothing matched and no default backend (404)
  bool default_backend = false;  // the route is a default backend, not a rule's path
  bool host_has_tls = false;     // a TLS entry covers the request's host
};

class RouteTable {
 public:
  RouteTable() = default;
  // `ingresses` in priority order: where two define the same host and path (or TLS host, or
  // default backend), the earlier one wins (give the oldest first, as ingress-nginx does).
  explicit RouteTable(const std::vector<IngressValues>& ingresses);

  // `host` as normalize_host gives it; `path` without the query (request_path).
  RouteMatch match(std::string_view host, std::string_view path) const;
  // The certificate for an exact or wildcard TLS host, or null.
  const TlsCertificate* certificate_for(std::string_view host) const;
  // Every TLS certificate the table holds.
  std::vector<const TlsCertificate*> certificates() const;

  std::size_t route_count() const { return routes_.size(); }
  const std::vector<Route>& routes() const { return routes_; }
  // What was left out of the table and why (a path not starting with '/', …).
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  struct PathRoute {
    std::string pattern;
    PathType type = PathType::Prefix;
    std::size_t match_length = 0;  // the length that decides precedence
    std::size_t route = 0;
  };
  struct HostRoutes {
    std::vector<PathRoute> paths;  // best first
    std::optional<std::size_t> default_route;  // the defaultBackend of an Ingress naming this host
  };

  void add_ingress(const IngressValues& ingress);
  void add_rule(const IngressValues& ingress, const IngressRule& rule, std::optional<std::size_t> ingress_default);
  std::size_t add_route(const Backend& backend, const RouteOptions& options);
  HostRoutes& host_routes_for(const std::string& rule_host);
  const HostRoutes* find_host(std::string_view host) const;
  const TlsCertificate* find_certificate(std::string_view host) const;

  std::vector<Route> routes_;
  std::unordered_map<std::string, HostRoutes> exact_hosts_;
  std::unordered_map<std::string, HostRoutes> wildcard_hosts_;  // by the suffix after "*."
  std::optional<HostRoutes> any_host_;
  std::optional<std::size_t> default_route_;
  std::unordered_map<std::string, TlsCertificate> exact_tls_;
  std::unordered_map<std::string, TlsCertificate> wildcard_tls_;
  std::vector<std::string> problems_;
};

}  // namespace skiff::ingress
