// A TCP port nobody listens on right now (for servers told "port 0": the embedded bus, tests).
#pragma once

#include <string>

namespace skiff::sdk {

// Binds port 0 on `host` (an IPv4 address) and returns what the kernel picked; throws
// std::runtime_error when none is free.
int find_free_port(const std::string& host = "127.0.0.1");

}  // namespace skiff::sdk
