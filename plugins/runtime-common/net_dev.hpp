// A network namespace's interface counters from /proc/net/dev (sdk/net_dev.hpp parses it), as a
// sandbox's stats report them.
#pragma once

#include <string>

#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::runtime_common {

// The interfaces of the network namespace at `netns_path` (/proc/<pid>/ns/net or a pinned
// file), read on a thread of its own that enters it, so the caller's threads stay where they
// are. Throws sdk::Error(404) when the namespace is gone.
runtime::v1::SandboxStatsResponse sandbox_network_stats(const std::string& netns_path);

}  // namespace skiff::runtime_common
