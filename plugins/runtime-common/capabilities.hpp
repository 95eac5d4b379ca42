// Linux capability names as a pod's securityContext gives them to a runtime: every capability
// by its bit number, and one spelling for whatever the user wrote ("net_admin", "CAP_NET_ADMIN").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skiff::runtime_common {

// Every capability the kernel knows (linux/capability.h), indexed by its bit, "CAP_" first.
const std::vector<std::string>& capability_names();

// The name in capitals with "CAP_" before it ("net_admin" → "CAP_NET_ADMIN"), as OCI writes
// it; "ALL" in any case stays "ALL".
std::string oci_capability_name(std::string_view name);

// Whether an OCI name (as oci_capability_name gives it) is one of capability_names().
bool is_capability(std::string_view oci_name);

}  // namespace skiff::runtime_common
