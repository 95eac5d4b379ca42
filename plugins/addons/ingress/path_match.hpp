// Ingress path matching as the Kubernetes spec defines it: Exact is the whole path, Prefix
// (and ImplementationSpecific, here the same) compares whole '/'-separated elements.
#pragma once

#include <string_view>

#include "ingress_values.hpp"

namespace skiff::ingress {

// The path of a request target: what comes before '?' or '#'.
std::string_view request_path(std::string_view target);

// A Prefix path without its trailing slashes ("/" becomes ""), so "/foo/" and "/foo" agree.
std::string_view prefix_without_trailing_slash(std::string_view prefix);

// Whether `path` (of a request, no query) is matched by `pattern` of `type`: Prefix "/foo"
// matches "/foo", "/foo/" and "/foo/bar" but not "/foobar"; Exact "/foo" only "/foo".
bool path_matches(PathType type, std::string_view pattern, std::string_view path);

}  // namespace skiff::ingress
