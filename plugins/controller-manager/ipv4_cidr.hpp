// The SDK's IPv4 CIDR values (skiff/sdk/cidr.hpp), under the names node IPAM uses.
#pragma once

#include "skiff/sdk/cidr.hpp"

namespace skiff::controllers {

using sdk::CidrError;
using sdk::HostBits;
using sdk::Ipv4Cidr;
using sdk::parse_ipv4_cidr;

}  // namespace skiff::controllers
