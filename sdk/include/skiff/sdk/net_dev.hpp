// /proc/net/dev's table of interface counters, as the runtimes (a pod's namespace) and the
// kubelet (its node's) read it.
#pragma once

#include <string_view>
#include <vector>

#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::sdk {

// One entry per interface with bytes and errors each way, `lo` left out (loopback is not a
// pod's or node's network, as cAdvisor counts it).
std::vector<runtime::v1::InterfaceStats> parse_net_dev(std::string_view text);

}  // namespace skiff::sdk
