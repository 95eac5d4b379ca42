// The addon's configuration keys, and what they become: the proxy's config and the route
// defaults that annotations override. Every bad value is refused before anything starts.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "proxy_config.hpp"
#include "skiff/sdk/config.hpp"

namespace skiff::ingress {

struct Settings {
  std::vector<std::string> listen;
  std::int64_t http_port = 80;
  std::int64_t https_port = 443;
  std::int64_t workers = 0;
  std::optional<std::string> default_certificate;
  std::optional<std::string> default_key;
  std::string ingress_class;
  bool default_class = true;
  bool create_class = true;
  std::chrono::milliseconds read_timeout{};
  std::chrono::milliseconds connect_timeout{};
  std::string body_size;
  bool ssl_redirect = true;
  std::chrono::milliseconds client_timeout{};
  bool access_log = true;
};

// The keys with types, defaults and descriptions (the plugin's manifest and README table).
sdk::ConfigTable config_table();
// Throws sdk::Error(422) naming the key when a value is out of range or malformed.
Settings read_settings(const sdk::Config& config);

// Listeners for every address (HTTP and HTTPS), the workers, and the default certificate read
// from its files (throws sdk::Error naming the file when one cannot be read).
ProxyConfig proxy_config(const Settings& settings);
RouteOptions route_defaults(const Settings& settings);

// The addresses `status.loadBalancer.ingress` reports: the listen addresses, unless one of
// them is a wildcard (0.0.0.0, ::), then none (the Node's InternalIP is used).
std::vector<std::string> specific_listen_addresses(const Settings& settings);

}  // namespace skiff::ingress
