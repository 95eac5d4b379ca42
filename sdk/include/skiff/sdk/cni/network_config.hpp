// A CNI network configuration list (CNI spec 1.0, section 1): the network's name, the spec
// version it is written for, and its plugins in the order ADD runs them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

namespace skiff::sdk::cni {

struct NetworkConfigList {
  std::string cni_version;
  std::string name;
  bool disable_check = false;
  std::vector<boost::json::object> plugins;  // as written: type, capabilities and the plugin's own keys
  std::string source;                        // the file it came from ("" when given as text)

  // The list as JSON, to keep beside an attachment so that DEL runs the configuration ADD ran.
  boost::json::object to_json() const;
};

// Throws Error(422) naming `source` and what is wrong. A single plugin's configuration (a
// `.conf` with `type` and no `plugins`, from before spec 1.0) is read as a list of one.
NetworkConfigList parse_network_config_list(std::string_view text, const std::string& source = "");

// The configuration a runtime uses from `dir`, picked as libcni does: the first file, by name,
// ending in .conflist, .conf or .json. nullopt when the directory has none or does not exist;
// throws Error(422) when that file is not a valid configuration.
std::optional<NetworkConfigList> load_network_config_list(const std::string& dir);

}  // namespace skiff::sdk::cni
