// Keys, defaults and their checks; the route defaults are ingress-nginx's (60 s read, 5 s
// connect, 1 MiB body, ssl-redirect on), the ports the well-known ones.
#include "ingress_settings.hpp"

#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <sstream>

#include "ingress_adapter.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::ingress {

namespace {

using sdk::bind_key;

const sdk::ConfigMap<Settings>& config_map() {
  static const sdk::ConfigMap<Settings> map{
      bind_key("listen", &Settings::listen, "[0.0.0.0]",
               "addresses the proxy listens on (HTTP and HTTPS on each); with 0.0.0.0 or ::, Ingress status reports "
               "the Node's InternalIP"),
      bind_key("http_port", &Settings::http_port, "80", "the HTTP port on every listen address").range(1, 65535),
      bind_key("https_port", &Settings::https_port, "443", "the HTTPS port on every listen address").range(1, 65535),
      bind_key("workers", &Settings::workers, "0", "proxy threads, each with its own connections and pools (0: one per core)")
          .range(0, 256),
      bind_key("default_certificate", &Settings::default_certificate, "",
               "PEM file of the certificate (chain) for TLS clients naming no Ingress TLS host; unset: their handshakes fail"),
      bind_key("default_key", &Settings::default_key, "", "PEM file of default_certificate's private key"),
      bind_key("ingress_class", &Settings::ingress_class, "skiff",
               "the IngressClass this addon makes (controller skiff.io/ingress-controller), and the value of the "
               "kubernetes.io/ingress.class annotation it serves"),
      bind_key("default_class", &Settings::default_class, "true",
               "make that IngressClass the default one (Ingresses created without a class get it)"),
      bind_key("create_class", &Settings::create_class, "true", "create the IngressClass if missing"),
      bind_key("read_timeout", &Settings::read_timeout, "60s",
               "upstream read timeout unless skiff.io/proxy-read-timeout says otherwise")
          .range("1s", "24h"),
      bind_key("connect_timeout", &Settings::connect_timeout, "5s",
               "upstream connect timeout unless skiff.io/proxy-connect-timeout says otherwise")
          .range("100ms", "1h"),
      bind_key("body_size", &Settings::body_size, "1m",
               "request body limit unless skiff.io/proxy-body-size says otherwise (\"0\": none; k, m, g units)"),
      bind_key("ssl_redirect", &Settings::ssl_redirect, "true",
               "308 to https for hosts with TLS unless skiff.io/ssl-redirect says otherwise"),
      bind_key("client_timeout", &Settings::client_timeout, "60s", "an idle keep-alive client's time, and each read or write")
          .range("1s", "1h"),
      bind_key("access_log", &Settings::access_log, "true", "one info line per request on the plugin's log"),
  };
  return map;
}

[[noreturn]] void invalid(const std::string& key, const std::string& message) {
  throw sdk::Error(sdk::Status::Invalid("config " + key + ": " + message));
}

bool is_wildcard(const std::string& address) { return address == "0.0.0.0" || address == "::"; }

std::string read_file(const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) invalid(key, "cannot read " + path + ": give a readable PEM file, or leave the key unset");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

sdk::ConfigTable config_table() { return config_map().table(); }

Settings read_settings(const sdk::Config& config) {
  Settings settings = config_map().read(config);
  if (settings.listen.empty()) invalid("listen", "give at least one address (0.0.0.0 for all)");
  for (const auto& address : settings.listen) {
    boost::system::error_code error;
    boost::asio::ip::make_address(address, error);
    if (error) invalid("listen", "\"" + address + "\" is not an IP address");
  }
  if (settings.http_port == settings.https_port) invalid("https_port", "must differ from http_port");
  if (settings.default_certificate.has_value() != settings.default_key.has_value())
    invalid("default_key", "default_certificate and default_key go together: set both or neither");
  if (!parse_body_size(settings.body_size))
    invalid("body_size", "\"" + settings.body_size + "\" is not a size such as \"0\", \"512k\", \"10m\" or \"1g\"");
  if (settings.ingress_class.empty()) invalid("ingress_class", "give the class name (e.g. skiff)");
  return settings;
}

ProxyConfig proxy_config(const Settings& settings) {
  ProxyConfig config;
  for (const auto& address : settings.listen) {
    config.listen.push_back({address, static_cast<std::uint16_t>(settings.http_port), false});
    config.listen.push_back({address, static_cast<std::uint16_t>(settings.https_port), true});
  }
  config.workers = static_cast<unsigned>(settings.workers);
  config.client_timeout = settings.client_timeout;
  if (settings.default_certificate)
    config.default_certificate = TlsCertificate{read_file("default_certificate", *settings.default_certificate),
                                                read_file("default_key", *settings.default_key)};
  return config;
}

RouteOptions route_defaults(const Settings& settings) {
  RouteOptions options;
  options.read_timeout = settings.read_timeout;
  options.connect_timeout = settings.connect_timeout;
  options.max_body_size = parse_body_size(settings.body_size).value_or(options.max_body_size);
  options.ssl_redirect = settings.ssl_redirect;
  return options;
}

std::vector<std::string> specific_listen_addresses(const Settings& settings) {
  for (const auto& address : settings.listen)
    if (is_wildcard(address)) return {};
  return settings.listen;
}

}  // namespace skiff::ingress
