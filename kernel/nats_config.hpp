// The embedded nats-server's config file: listen address, users, JetStream, and (for several
// masters) the cluster block whose routes join the other masters' servers.
#pragma once

#include <filesystem>
#include <string>

#include "profile.hpp"

namespace skiff::kernel {

// The user every master's server authenticates routes with; its password is shared like the
// master password (<data>/bus/route-token, copied by `skiffd join-secrets`).
inline constexpr const char* kBusRouteUser = "skiff-route";

struct NatsConfigInput {
  EmbeddedBusSettings settings;  // port already chosen (not 0)
  std::filesystem::path bus_dir;  // <data>/bus: users.conf, the pid, log and JetStream files
  std::string cluster;            // the Skiff cluster: the NATS cluster is named after it
  std::string route_password;     // used only when settings.cluster_port is set
};

// nats.conf's text. Without cluster_port, exactly the single-server file of one master.
std::string nats_config_text(const NatsConfigInput& input);

// "10.0.0.2:6222" (or nats-route://10.0.0.2:6222) → nats-route://user:password@10.0.0.2:6222;
// throws ProfileError naming a route that is not host:port.
std::string route_url(const std::string& route, const std::string& password);

}  // namespace skiff::kernel
