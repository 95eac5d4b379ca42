// Checks a config block against its declared table: unknown keys, wrong types, missing ones.
#include "skiff/sdk/config_schema.hpp"

#include <algorithm>

#include "skiff/sdk/duration.hpp"

namespace skiff::sdk {

std::string yaml_line(const YAML::Node& node) {
  if (!node.IsDefined()) return "";
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1);
}

bool scalar_has_type(const YAML::Node& node, ConfigType type) {
  if (!node.IsScalar()) return false;
  const std::string& text = node.Scalar();
  try {
    switch (type) {
      case ConfigType::String:
        return true;
      case ConfigType::Int:
        node.as<std::int64_t>();
        return true;
      case ConfigType::Double:
        node.as<double>();
        return true;
      case ConfigType::Bool:
        return text == "true" || text == "false";
      case ConfigType::Duration:
        return parse_duration(text).has_value();
      default:
        return false;
    }
  } catch (const YAML::Exception&) {
    return false;
  }
}

namespace {

std::string expected_form(ConfigType type) {
  switch (type) {
    case ConfigType::Int: return "an integer such as 3";
    case ConfigType::Bool: return "true or false";
    case ConfigType::Double: return "a number such as 0.5";
    case ConfigType::Duration: return "a duration such as 500ms, 10s or 5m";
    case ConfigType::List: return "a list";
    case ConfigType::Map: return "a mapping of keys to values";
    default: return "a string";
  }
}

bool has_type(const YAML::Node& value, ConfigType type) {
  if (value.IsNull() || type == ConfigType::Any) return true;  // null means "unset"; required-ness is checked separately
  if (type == ConfigType::List) return value.IsSequence();
  if (type == ConfigType::Map) return value.IsMap();
  return scalar_has_type(value, type);
}

std::string at(std::string_view where, const YAML::Node& node) {
  std::string line = yaml_line(node);
  return std::string(where) + (line.empty() ? "" : " (" + line + ")");
}

}  // namespace

YAML::Node validate_config(const ConfigTable& table, const YAML::Node& block, std::string_view where) {
  if (block.IsDefined() && !block.IsNull() && !block.IsMap())
    throw ConfigError(at(where, block) + ": config must be a mapping of key: value");

  if (block.IsDefined() && block.IsMap()) {
    for (const auto& entry : block) {
      const std::string key = entry.first.Scalar();
      auto row = std::find_if(table.begin(), table.end(), [&](const ConfigKey& k) { return k.name == key; });
      if (row == table.end()) {
        std::string known;
        for (const auto& k : table) known += (known.empty() ? "" : ", ") + k.name;
        throw ConfigError(at(where, entry.first) + ": unknown config key '" + key + "'; known keys: " +
                          (known.empty() ? "(none)" : known));
      }
      if (!has_type(entry.second, row->type))
        throw ConfigError(at(where, entry.second) + ": config key '" + key + "' must be " +
                          expected_form(row->type) + ", got '" + YAML::Dump(entry.second) + "'");
      if (std::string problem = constraint_violation(*row, entry.second); !problem.empty())
        throw ConfigError(at(where, entry.second) + ": config key '" + key + "' " + problem);
    }
  }

  YAML::Node result(YAML::NodeType::Map);
  for (const auto& key : table) {
    YAML::Node given = block.IsDefined() && block.IsMap() ? block[key.name] : YAML::Node();
    if (given.IsDefined() && !given.IsNull()) {
      result[key.name] = YAML::Clone(given);
    } else if (key.default_value) {
      result[key.name] = key.default_value->empty() ? YAML::Node() : YAML::Load(*key.default_value);
    } else {
      throw ConfigError(at(where, block) + ": config key '" + key.name + "' is required (" + key.description +
                        ")");
    }
  }
  return result;
}

}  // namespace skiff::sdk
