// A worker node's identity on the bus: the NATS user `node:<name>` that `skiffd node-credentials`
// mints, whose permissions reach only its own subjects (kernel/bus_users.cpp writes them).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace skiff::sdk {

inline constexpr std::string_view kNodeUserPrefix = "node:";

// "node:<name>" for a node's name.
std::string node_bus_user(std::string_view node);
// The node a bus user stands for, or nullopt for any other user (the master's, an operator's).
std::optional<std::string> node_of_bus_user(std::string_view user);
// Where a node's replies arrive: _INBOX.<node as one subject token>.
std::string node_inbox_prefix(std::string_view node);

}  // namespace skiff::sdk
