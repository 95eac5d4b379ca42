// Validates a YAML config block against a ConfigTable, reporting the YAML line of each problem.
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "skiff/sdk/config.hpp"

namespace skiff::sdk {

// Thrown with a message that names the file, line, key and the fix.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `where` names the block in messages ("profile.yaml: plugin store-lmdb"). A null or missing
// block counts as empty. Returns the block with defaults applied, as a YAML mapping.
YAML::Node validate_config(const ConfigTable& table, const YAML::Node& block, std::string_view where);

// "line 12" for a node that came from a file, "" for one built in memory.
std::string yaml_line(const YAML::Node& node);

// Does the scalar read as this type? (lists and maps are checked structurally by the caller)
bool scalar_has_type(const YAML::Node& node, ConfigType type);

}  // namespace skiff::sdk
