// Building the merged route table from Ingress values, and matching a request against it.
#include "route_table.hpp"

#include <algorithm>

#include "host_match.hpp"
#include "path_match.hpp"

namespace skiff::ingress {

namespace {

std::string ingress_label(const IngressValues& ingress) { return ingress.namespace_name + "/" + ingress.name; }

bool better_path(const auto& a, const auto& b) {
  if (a.match_length != b.match_length) return a.match_length > b.match_length;
  return a.type == PathType::Exact && b.type != PathType::Exact;
}

}  // namespace

RouteTable::RouteTable(const std::vector<IngressValues>& ingresses) {
  for (const auto& ingress : ingresses) add_ingress(ingress);
  auto sort_paths = [](HostRoutes& host) { std::stable_sort(host.paths.begin(), host.paths.end(), better_path<PathRoute, PathRoute>); };
  for (auto& [name, host] : exact_hosts_) sort_paths(host);
  for (auto& [name, host] : wildcard_hosts_) sort_paths(host);
  if (any_host_) sort_paths(*any_host_);
}

void RouteTable::add_ingress(const IngressValues& ingress) {
  std::optional<std::size_t> ingress_default;
  if (ingress.default_backend) {
    ingress_default = add_route(*ingress.default_backend, ingress.options);
    if (!default_route_) default_route_ = ingress_default;
  }
  for (const auto& rule : ingress.rules) add_rule(ingress, rule, ingress_default);
  for (const auto& tls : ingress.tls) {
    for (const auto& raw_host : tls.hosts) {
      std::string host = normalize_host(raw_host);
      if (auto suffix = wildcard_suffix(host)) wildcard_tls_.try_emplace(std::string(*suffix), tls.certificate);
      else exact_tls_.try_emplace(host, tls.certificate);
    }
  }
}

void RouteTable::add_rule(const IngressValues& ingress, const IngressRule& rule,
                          std::optional<std::size_t> ingress_default) {
  std::string rule_host = normalize_host(rule.host);
  if (rule_host.find('*') != std::string::npos && !wildcard_suffix(rule_host)) {
    problems_.push_back(ingress_label(ingress) + ": host \"" + rule.host +
                        "\" left out: a wildcard must be one leading label, as in \"*.example.com\"");
    return;
  }
  HostRoutes& host = host_routes_for(rule_host);
  if (!host.default_route) host.default_route = ingress_default;
  for (const auto& path : rule.paths) {
    if (!path.path.starts_with('/')) {
      problems_.push_back(ingress_label(ingress) + ": path \"" + path.path + "\" of host \"" + rule.host +
                          "\" left out: a path must start with '/'");
      continue;
    }
    std::size_t length = path.type == PathType::Exact ? path.path.size() : prefix_without_trailing_slash(path.path).size();
    host.paths.push_back({path.path, path.type, length, add_route(path.backend, ingress.options)});
  }
}

std::size_t RouteTable::add_route(const Backend& backend, const RouteOptions& options) {
  routes_.push_back({backend, options, routes_.size()});
  return routes_.back().index;
}

RouteTable::HostRoutes& RouteTable::host_routes_for(const std::string& rule_host) {
  if (rule_host.empty()) return any_host_ ? *any_host_ : any_host_.emplace();
  if (auto suffix = wildcard_suffix(rule_host)) return wildcard_hosts_[std::string(*suffix)];
  return exact_hosts_[rule_host];
}

const RouteTable::HostRoutes* RouteTable::find_host(std::string_view host) const {
  if (auto exact = exact_hosts_.find(std::string(host)); exact != exact_hosts_.end()) return &exact->second;
  if (auto suffix = covering_wildcard_suffix(host)) {
    if (auto wildcard = wildcard_hosts_.find(std::string(*suffix)); wildcard != wildcard_hosts_.end()) return &wildcard->second;
  }
  return any_host_ ? &*any_host_ : nullptr;
}

RouteMatch RouteTable::match(std::string_view host, std::string_view path) const {
  RouteMatch result;
  result.host_has_tls = find_certificate(host) != nullptr;
  std::optional<std::size_t> fallback = default_route_;
  if (const HostRoutes* routes = find_host(host)) {
    for (const auto& candidate : routes->paths) {
      if (path_matches(candidate.type, candidate.pattern, path)) {
        result.route = &routes_[candidate.route];
        return result;
      }
    }
    if (routes->default_route) fallback = routes->default_route;
  }
  if (fallback) {
    result.route = &routes_[*fallback];
    result.default_backend = true;
  }
  return result;
}

const TlsCertificate* RouteTable::find_certificate(std::string_view host) const {
  if (auto exact = exact_tls_.find(std::string(host)); exact != exact_tls_.end()) return &exact->second;
  if (auto suffix = covering_wildcard_suffix(host)) {
    if (auto wildcard = wildcard_tls_.find(std::string(*suffix)); wildcard != wildcard_tls_.end()) return &wildcard->second;
  }
  return nullptr;
}

const TlsCertificate* RouteTable::certificate_for(std::string_view host) const { return find_certificate(host); }

std::vector<const TlsCertificate*> RouteTable::certificates() const {
  std::vector<const TlsCertificate*> all;
  for (const auto& [host, certificate] : exact_tls_) all.push_back(&certificate);
  for (const auto& [suffix, certificate] : wildcard_tls_) all.push_back(&certificate);
  return all;
}

}  // namespace skiff::ingress
