// A route table in a named network namespace (/run/netns/NAME, as `ip netns add` makes it):
// a netlink socket acts in the namespace it was opened in, so the table's socket is opened on
// a short-lived thread that entered the namespace, and every later call works there.
#pragma once

#include <memory>
#include <string>

#include "route_table.hpp"

namespace skiff::cloud_local {

// `netns` "": this process's own namespace. Throws Error naming the namespace when it cannot
// be entered (absent: create it with `ip netns add NAME`; not root: CAP_SYS_ADMIN is needed).
std::unique_ptr<network::RouteTable> open_route_table(unsigned char protocol, const std::string& netns);

}  // namespace skiff::cloud_local
