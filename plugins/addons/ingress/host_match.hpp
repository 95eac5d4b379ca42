// Host names as routes compare them: the Host header normalised, and the one-label wildcard.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace skiff::ingress {

// The host of a Host header (or SNI name): the port dropped ("[::1]:80" keeps "::1"),
// lower case, no trailing dot.
std::string normalize_host(std::string_view host_header);

// "*.example.com" gives "example.com"; any other host gives nullopt.
std::optional<std::string_view> wildcard_suffix(std::string_view rule_host);

// The suffix a wildcard rule must name to cover `host`: "a.example.com" gives "example.com"
// (a wildcard covers exactly one label, so "a.b.example.com" gives "b.example.com").
std::optional<std::string_view> covering_wildcard_suffix(std::string_view host);

}  // namespace skiff::ingress
