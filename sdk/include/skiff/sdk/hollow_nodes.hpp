// Plugins that can stand for many simulated nodes in one process (the kubelet, runtime-sim)
// share two config keys and one naming, so one config block fits both: `nodes: 1` is this
// node; `nodes: N` (N > 1) are <node_prefix>-0 … <node_prefix>-(N-1).
#pragma once

#include <string>
#include <vector>

#include "skiff/sdk/config.hpp"
#include "skiff/sdk/context.hpp"

namespace skiff::sdk {

// The `nodes` and `node_prefix` keys for a manifest; `what` says what each node gets.
std::vector<ConfigKey> hollow_node_keys(const std::string& what);
// The node names the plugin's config asks for; throws Error(422) when `nodes` is below 1.
std::vector<std::string> hollow_node_names(const Context& context);

}  // namespace skiff::sdk
