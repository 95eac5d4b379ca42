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

// "" when `value` (of the key's type) meets the key's one_of / minimum / maximum, otherwise
// what is wrong, in words ("must be one of full, none; got 'fast'"). A list's items are each
// checked against one_of.
std::string constraint_violation(const ConfigKey& key, const YAML::Node& value);
// "" when the key's own constraints make sense for its type (a plugin's table is checked by
// the kernel before it is trusted), otherwise what is wrong.
std::string constraint_problem(const ConfigKey& key);
// The allowed values in words, for tables: "full, nometasync, none", "1..100", ">= 1", "".
std::string describe_constraint(const ConfigKey& key);
// The table as Markdown, the form every plugin README carries (`skiffd plugins --config NAME
// --markdown`): | key | type | default | values | description |.
std::string config_table_markdown(const ConfigTable& table);

}  // namespace skiff::sdk
