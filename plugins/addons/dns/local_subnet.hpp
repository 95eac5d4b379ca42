// The subnet of one of the node's own IPv4 addresses (its interface's prefix), as "a.b.c.d/n".
#pragma once

#include <optional>
#include <string>

namespace skiff::dns {

std::optional<std::string> local_subnet_of(const std::string& address);

}  // namespace skiff::dns
