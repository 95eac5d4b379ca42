// A CNI ADD result (CNI spec 1.0, section 5): interfaces, IPs with their gateways, routes, DNS —
// and the JSON as the plugin wrote it, which the next plugin, CHECK and DEL get as prevResult.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace skiff::sdk::cni {

struct Interface {
  std::string name;
  std::string mac;
  std::string sandbox;  // the network namespace it is in; "" for a host interface
};

struct IpConfig {
  std::string address;  // CIDR: "10.244.1.5/24"
  std::string gateway;  // "" when none
  std::optional<std::size_t> interface;  // index into Result::interfaces

  std::string ip() const { return address.substr(0, address.find('/')); }  // without the prefix length
};

struct Route {
  std::string dst;  // CIDR
  std::string gw;   // "" when none
};

struct Dns {
  std::vector<std::string> nameservers;
  std::string domain;
  std::vector<std::string> search;
  std::vector<std::string> options;
};

struct Result {
  std::string cni_version;
  std::vector<Interface> interfaces;
  std::vector<IpConfig> ips;
  std::vector<Route> routes;
  Dns dns;
  boost::json::object json;  // the whole result, unknown fields included

  // The address (no prefix length) of the first IP of `version` ("4" or "6") on an interface
  // inside `sandbox` (the container's network namespace), else the first of that version at
  // all; loopback addresses never count. "" when there is none.
  std::string sandbox_ip(const std::string& sandbox, std::string_view version = "4") const;
};

// Throws Error(500) naming `plugin` when the JSON is not a result.
Result parse_result(const boost::json::object& json, const std::string& plugin = "");
Result parse_result(std::string_view text, const std::string& plugin = "");

}  // namespace skiff::sdk::cni
