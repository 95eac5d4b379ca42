// Host header normalisation and one-label wildcards.
#include "host_match.hpp"

#include <algorithm>
#include <cctype>

namespace skiff::ingress {

namespace {

std::string_view drop_port(std::string_view host) {
  if (host.starts_with('[')) {
    auto close = host.find(']');
    return close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
  }
  auto colon = host.find(':');
  // More than one colon is a bare IPv6 address, which has no port.
  if (colon == std::string_view::npos || host.find(':', colon + 1) != std::string_view::npos) return host;
  return host.substr(0, colon);
}

}  // namespace

std::string normalize_host(std::string_view host_header) {
  std::string host(drop_port(host_header));
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  while (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

std::optional<std::string_view> wildcard_suffix(std::string_view rule_host) {
  if (!rule_host.starts_with("*.") || rule_host.size() <= 2) return std::nullopt;
  return rule_host.substr(2);
}

std::optional<std::string_view> covering_wildcard_suffix(std::string_view host) {
  auto dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= host.size()) return std::nullopt;
  return host.substr(dot + 1);
}

}  // namespace skiff::ingress
