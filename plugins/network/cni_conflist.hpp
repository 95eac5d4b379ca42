// The node's CNI network configuration list: bridge (the node's podCIDR, its first address as
// the gateway), host-local IPAM with its own state directory, portmap for hostPorts, loopback.
#pragma once

#include <string>

#include "skiff/sdk/cidr.hpp"

namespace skiff::network {

inline constexpr const char* kConflistFile = "10-skiff.conflist";
inline constexpr const char* kNetworkName = "skiff";

struct ConflistOptions {
  std::string bridge = "cni0";
  sdk::Ipv4Cidr pod_cidr;
  std::string ipam_dir;  // host-local's state: one per node, so nodes on one machine never share it
  int mtu = 0;           // 0: the kernel's default
};

std::string conflist_json(const ConflistOptions& options);

// Writes <dir>/10-skiff.conflist (atomically: a temporary file renamed). Throws Error(409) when
// that file exists but skiff did not write it: another network owns the directory.
void write_conflist(const std::string& dir, const std::string& json);

}  // namespace skiff::network
