// What a service port must hold to be programmed; a port that fails is named with the reason,
// before anything is sent to the kernel.
#pragma once

#include <optional>
#include <string>

#include "proxy_state.hpp"

namespace skiff::proxy::nft {

// nullopt when `port` can be programmed, else why not (one sentence naming `key`).
std::optional<std::string> check_port(const std::string& key, const ServicePort& port);

}  // namespace skiff::proxy::nft
