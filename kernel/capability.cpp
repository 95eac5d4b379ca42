// Parsing capability names into family and version.
#include "capability.hpp"

#include <regex>

namespace skiff::kernel {

std::optional<VersionedName> versioned_name(std::string_view name) {
  static const std::regex kVersioned(R"((.+)\.v([1-9][0-9]{0,5}))");
  static const std::regex kLegacy("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  std::string text(name);
  std::smatch match;
  if (std::regex_match(text, match, kVersioned)) return VersionedName{match[1], static_cast<unsigned>(std::stoul(match[2]))};
  if (std::regex_match(text, kLegacy)) return VersionedName{"skiff." + text, 1};
  return std::nullopt;
}

std::string canonical_capability(std::string_view name) {
  auto versioned = versioned_name(name);
  if (!versioned) return std::string(name);
  return versioned->family + ".v" + std::to_string(versioned->version);
}

}  // namespace skiff::kernel
