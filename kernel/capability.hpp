// Capability names as the kernel compares them: versioned kinds (`skiff.runtime.v1`), with
// the unversioned names of older plugins (`runtime`) read as version 1.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace skiff::kernel {

struct VersionedName {
  std::string family;  // "skiff.runtime"
  unsigned version = 0;
};

// "skiff.runtime.v1" → {skiff.runtime, 1}; a plain word such as "runtime" → {skiff.runtime, 1};
// anything else ("runtime:docker", a plugin's name with dots) has no version.
std::optional<VersionedName> versioned_name(std::string_view name);

// The name two capabilities are compared by: "runtime" and "skiff.runtime.v1" are the same.
std::string canonical_capability(std::string_view name);

}  // namespace skiff::kernel
