// What one CNI plugin run is given (CNI spec 1.0, sections 2 and 3): the CNI_* environment and
// the request configuration on stdin, derived from the network configuration list.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "skiff/sdk/cni/network_config.hpp"

namespace skiff::sdk::cni {

enum class Command { Add, Del, Check };
std::string_view command_name(Command command);  // "ADD", "DEL", "CHECK"

// One container on one network: the spec's attachment parameters.
struct Attachment {
  std::string container_id;  // CNI_CONTAINERID
  std::string netns;         // CNI_NETNS: /proc/<pid>/ns/net or /run/netns/<name>; "" is allowed for DEL
  std::string ifname = "eth0";
  std::vector<std::pair<std::string, std::string>> args;  // CNI_ARGS, in this order
  boost::json::object capability_args;  // by convention: portMappings, bandwidth, ipRanges …
};

// Throws Error(400) naming the parameter that breaks the spec's rules for `command`.
void validate(const Attachment& attachment, Command command);

// "K1=v1;K2=v2".
std::string cni_args(const std::vector<std::pair<std::string, std::string>>& args);

// The configuration plugin `index` of `list` gets: its own object with the list's `name` and
// `cniVersion`, `runtimeConfig` holding the capability args it declares in `capabilities`
// (which is dropped), and `prevResult` when given.
boost::json::object plugin_request(const NetworkConfigList& list, std::size_t index,
                                   const boost::json::object& capability_args,
                                   const boost::json::object* prev_result);

// CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH as "KEY=value".
std::vector<std::string> plugin_environment(Command command, const Attachment& attachment,
                                            const std::vector<std::string>& plugin_dirs);

}  // namespace skiff::sdk::cni
