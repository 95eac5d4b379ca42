// The machine's own IPv4 address as a node advertises it (the kubelet's InternalIP, the
// apiserver's default advertise address on a wildcard listen).
#pragma once

#include <string>

namespace skiff::sdk {

// The first IPv4 address of an interface that is not loopback, a Docker or CNI bridge or a
// pod's veth; "" when there is none.
std::string node_ipv4();

}  // namespace skiff::sdk
