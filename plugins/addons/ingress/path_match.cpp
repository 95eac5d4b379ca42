// Exact and element-wise Prefix path matching.
#include "path_match.hpp"

namespace skiff::ingress {

std::string_view request_path(std::string_view target) {
  auto end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

std::string_view prefix_without_trailing_slash(std::string_view prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  return prefix;
}

bool path_matches(PathType type, std::string_view pattern, std::string_view path) {
  if (type == PathType::Exact) return path == pattern;
  std::string_view prefix = prefix_without_trailing_slash(pattern);
  if (!path.starts_with(prefix)) return false;
  // The prefix must end on an element boundary of the request's path.
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace skiff::ingress
