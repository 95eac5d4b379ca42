// How to join the bus: server URLs, credentials (always required) and TLS.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/config.hpp"

namespace skiff::sdk {

struct BusOptions {
  std::vector<std::string> urls;
  // Exactly one way to authenticate: a token, a user and password, or a NATS .creds file.
  std::string token;
  std::string user;
  std::string password;
  std::string credentials_file;
  // Replies come to <inbox_prefix>.… instead of _INBOX.… (a node user may read only its own).
  std::string inbox_prefix;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  bool tls_insecure = false;
  std::string connection_name;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds reconnect_wait{250};
  // false: reconnect only to the listed servers, never to cluster members the server announces.
  bool discover_servers = true;

  bool has_credentials() const { return !token.empty() || !user.empty() || !credentials_file.empty(); }

  // Parses a `bus:` mapping (keys: see bus_connection_keys()); throws Error(400) naming the problem.
  static BusOptions from_yaml(std::string_view yaml_mapping);
  std::string to_yaml() const;
};

// The connection keys of a `bus:` block, as a config table (the kernel adds its own).
const ConfigTable& bus_connection_keys();

// Warnings from the client library (slow consumers, async errors) go here.
using BusWarningSink = std::function<void(std::string_view)>;

// Connects or throws Error(503) with one line saying which server, why, and what to check.
BusPtr connect_bus(const BusOptions& options, BusWarningSink warnings = {});

}  // namespace skiff::sdk
