// Parsing and printing the `bus:` connection block shared by profiles, plugins and tools.
#include "skiff/sdk/bus_options.hpp"

#include <sstream>

#include <yaml-cpp/yaml.h>

#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/duration.hpp"

namespace skiff::sdk {

const ConfigTable& bus_connection_keys() {
  static const ConfigTable table = {
      {"url", ConfigType::String, "", "NATS server URL(s), comma-separated (nats://host:4222)"},
      {"token", ConfigType::String, "", "authentication token"},
      {"user", ConfigType::String, "", "user name (with password)"},
      {"password", ConfigType::String, "", "password for user"},
      {"inbox_prefix", ConfigType::String, "", "subject prefix of this connection's reply inboxes (a node's credentials set it)"},
      {"credentials", ConfigType::String, "", "path of a NATS .creds file (JWT + NKey)"},
      {"tls_ca", ConfigType::String, "", "CA bundle that signs the server certificate"},
      {"tls_cert", ConfigType::String, "", "client certificate (mutual TLS)"},
      {"tls_key", ConfigType::String, "", "client private key (mutual TLS)"},
      {"tls_insecure", ConfigType::Bool, "false", "skip server certificate verification (testing only)"},
      {"name", ConfigType::String, "", "connection name shown by the server"},
      {"connect_timeout", ConfigType::Duration, "2s", "give up connecting after this long"},
      {"reconnect_wait", ConfigType::Duration, "250ms", "pause between reconnect attempts"},
      {"discover_servers", ConfigType::Bool, "true",
       "also reconnect to cluster members the server announces (false: only the listed URLs)"},
  };
  return table;
}

BusOptions BusOptions::from_yaml(std::string_view yaml_mapping) {
  YAML::Node block;
  try {
    block = YAML::Load(std::string(yaml_mapping));
  } catch (const YAML::Exception& e) {
    throw Error(Status::BadRequest(std::string("bus: not valid YAML: ") + e.what()));
  }
  YAML::Node config;
  try {
    config = validate_config(bus_connection_keys(), block, "bus");
  } catch (const ConfigError& e) {
    throw Error(Status::BadRequest(e.what()));
  }
  auto text = [&](const char* key) { return config[key].IsNull() ? std::string() : config[key].as<std::string>(); };
  BusOptions options;
  std::stringstream urls(text("url"));
  for (std::string url; std::getline(urls, url, ',');)
    if (!url.empty()) options.urls.push_back(url);
  options.token = text("token");
  options.user = text("user");
  options.password = text("password");
  options.inbox_prefix = text("inbox_prefix");
  options.credentials_file = text("credentials");
  options.tls_ca = text("tls_ca");
  options.tls_cert = text("tls_cert");
  options.tls_key = text("tls_key");
  options.tls_insecure = config["tls_insecure"].as<bool>();
  options.connection_name = text("name");
  options.connect_timeout = *parse_duration(text("connect_timeout"));
  options.reconnect_wait = *parse_duration(text("reconnect_wait"));
  options.discover_servers = config["discover_servers"].as<bool>();
  return options;
}

std::string BusOptions::to_yaml() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::string joined;
  for (const auto& url : urls) joined += (joined.empty() ? "" : ",") + url;
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) out << YAML::Key << key << YAML::Value << value;
  };
  put("url", joined);
  put("token", token);
  put("user", user);
  put("password", password);
  put("inbox_prefix", inbox_prefix);
  put("credentials", credentials_file);
  put("tls_ca", tls_ca);
  put("tls_cert", tls_cert);
  put("tls_key", tls_key);
  if (tls_insecure) out << YAML::Key << "tls_insecure" << YAML::Value << true;
  put("name", connection_name);
  out << YAML::Key << "connect_timeout" << YAML::Value << format_duration(connect_timeout);
  out << YAML::Key << "reconnect_wait" << YAML::Value << format_duration(reconnect_wait);
  if (!discover_servers) out << YAML::Key << "discover_servers" << YAML::Value << false;
  out << YAML::EndMap;
  return out.c_str();
}

}  // namespace skiff::sdk
