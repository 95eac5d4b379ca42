// The IPv4 networks this node's interfaces are on (its LAN), to refuse a pod range that
// would shadow them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "skiff/sdk/cidr.hpp"

namespace skiff::network {

// Interface name and network of every IPv4 address but loopback's and the `except` bridge's.
std::vector<std::pair<std::string, sdk::Ipv4Cidr>> local_networks(const std::string& except);

}  // namespace skiff::network
