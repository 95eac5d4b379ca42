// Writes nats.conf as text: nats-server's own format, so every line can be checked in a test.
#include "nats_config.hpp"

#include <regex>

namespace skiff::kernel {
namespace {

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

std::string cluster_block(const NatsConfigInput& input) {
  const EmbeddedBusSettings& s = input.settings;
  std::string routes;
  for (const auto& route : s.routes)
    routes += (routes.empty() ? "" : ", ") + quoted(route_url(route, input.route_password));
  // Every master accepts routes only with the shared route user, and dials the others with it.
  return "cluster {\n"
         "  name: " + quoted("skiff-" + input.cluster) + "\n"
         "  listen: " + quoted(s.host + ":" + std::to_string(s.cluster_port)) + "\n"
         "  authorization { user: " + quoted(kBusRouteUser) + ", password: " + quoted(input.route_password) + " }\n"
         "  routes: [" + routes + "]\n"
         "}\n";
}

}  // namespace

std::string route_url(const std::string& route, const std::string& password) {
  static const std::regex kRoute(R"((nats-route://)?([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):([0-9]{1,5}))");
  std::smatch m;
  if (!std::regex_match(route, m, kRoute))
    throw ProfileError("bus.routes: '" + route + "' is not host:port of another master's cluster_port "
                       "(e.g. 10.213.0.11:6222)");
  return "nats-route://" + std::string(kBusRouteUser) + ":" + password + "@" + m[2].str() + ":" + m[3].str();
}

std::string nats_config_text(const NatsConfigInput& input) {
  const EmbeddedBusSettings& s = input.settings;
  const auto& dir = input.bus_dir;
  bool clustered = s.cluster_port != 0;
  std::string text = "# Written by skiffd for its embedded bus; regenerated at every start.\n";
  // JetStream in a cluster needs each server's own name (its Raft identity).
  if (clustered) text += "server_name: " + quoted(s.server_name) + "\n";
  text += "listen: " + quoted(s.host + ":" + std::to_string(s.port)) + "\n"
          // The master as user skiffd, each worker as node:<name> (users.conf).
          "authorization { include \"users.conf\" }\n"
          "pid_file: " + quoted((dir / "nats.pid").string()) + "\n"
          "max_payload: 8MB\n"
          "log_file: " + quoted((dir / "nats.log").string()) + "\n"
          // JetStream for the streams addons own (cluster logging); its files live with the data
          // dir so they outlive a restart. With a cluster block it is clustered JetStream.
          "jetstream { store_dir: " + quoted((dir / "jetstream").string()) +
          ", max_memory_store: 256MB, max_file_store: " + s.jetstream_max_file_store + " }\n";
  if (clustered) text += cluster_block(input);
  return text;
}

}  // namespace skiff::kernel
