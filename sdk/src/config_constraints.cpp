// The one_of / minimum / maximum of config keys: checking values, describing them, Markdown.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>

#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/duration.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

namespace {

// Numbers and durations compared as doubles (durations in milliseconds).
std::optional<double> magnitude(ConfigType type, const std::string& text) {
  try {
    if (type == ConfigType::Int) return static_cast<double>(YAML::Load(text).as<std::int64_t>());
    if (type == ConfigType::Double) return YAML::Load(text).as<double>();
    if (type == ConfigType::Duration) {
      auto duration = parse_duration(text);
      if (duration) return static_cast<double>(duration->count());
    }
  } catch (const YAML::Exception&) {
  }
  return std::nullopt;
}

bool ordered(ConfigType type) { return type == ConfigType::Int || type == ConfigType::Double || type == ConfigType::Duration; }

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

std::string range_words(const ConfigKey& key) {
  if (key.minimum && key.maximum) return "between " + *key.minimum + " and " + *key.maximum;
  if (key.minimum) return "at least " + *key.minimum;
  return "at most " + *key.maximum;
}

std::string one_of_violation(const ConfigKey& key, const YAML::Node& value) {
  auto allowed = [&](const std::string& v) { return std::find(key.one_of.begin(), key.one_of.end(), v) != key.one_of.end(); };
  if (value.IsSequence()) {
    for (const auto& item : value)
      if (!item.IsScalar() || !allowed(item.Scalar()))
        return "may hold only " + joined(key.one_of) + "; got '" + (item.IsScalar() ? item.Scalar() : YAML::Dump(item)) + "'";
    return "";
  }
  if (value.IsScalar() && allowed(value.Scalar())) return "";
  return "must be one of " + joined(key.one_of) + "; got '" + (value.IsScalar() ? value.Scalar() : YAML::Dump(value)) + "'";
}

}  // namespace

std::string constraint_violation(const ConfigKey& key, const YAML::Node& value) {
  if (!value.IsDefined() || value.IsNull()) return "";
  if (!key.one_of.empty()) {
    if (std::string problem = one_of_violation(key, value); !problem.empty()) return problem;
  }
  if (!(key.minimum || key.maximum) || !ordered(key.type) || !value.IsScalar()) return "";
  auto given = magnitude(key.type, value.Scalar());
  if (!given) return "";  // a type error, reported as such by the caller
  bool low = key.minimum && *given < *magnitude(key.type, *key.minimum);
  bool high = key.maximum && *given > *magnitude(key.type, *key.maximum);
  if (!low && !high) return "";
  return "must be " + range_words(key) + ", got " + value.Scalar();
}

std::string constraint_problem(const ConfigKey& key) {
  for (const auto* bound : {&key.minimum, &key.maximum}) {
    if (!*bound) continue;
    if (!ordered(key.type)) return "has a minimum or maximum but is a " + std::string(to_string(key.type));
    if (!magnitude(key.type, **bound))
      return "has the bound '" + **bound + "', which is not a " + std::string(to_string(key.type));
  }
  if (key.minimum && key.maximum && *magnitude(key.type, *key.minimum) > *magnitude(key.type, *key.maximum))
    return "has a minimum above its maximum";
  if (key.default_value && !key.default_value->empty()) {
    std::string problem = constraint_violation(key, YAML::Load(*key.default_value));
    if (!problem.empty()) return "has a default that breaks its own rule: it " + problem;
  }
  return "";
}

std::string describe_constraint(const ConfigKey& key) {
  if (!key.one_of.empty()) return joined(key.one_of);
  if (key.minimum && key.maximum) return *key.minimum + ".." + *key.maximum;
  if (key.minimum) return ">= " + *key.minimum;
  if (key.maximum) return "<= " + *key.maximum;
  return "";
}

namespace {

// Markdown cells: code spans for values, pipes escaped.
std::string cell(std::string text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string code(const std::string& text) { return text.empty() ? "" : "`" + cell(text) + "`"; }

std::string values_cell(const ConfigKey& key) {
  if (!key.one_of.empty()) {
    std::string out;
    for (const auto& v : key.one_of) out += (out.empty() ? "" : ", ") + code(v);
    return out;
  }
  return cell(describe_constraint(key));
}

std::string default_cell(const ConfigKey& key) {
  if (!key.default_value) return "(required)";
  if (key.default_value->empty()) return "";
  return code(*key.default_value);
}

}  // namespace

std::string config_table_markdown(const ConfigTable& table) {
  std::string out = "| key | type | default | values | description |\n|---|---|---|---|---|\n";
  for (const auto& key : table)
    out += "| `" + key.name + "` | " + std::string(to_string(key.type)) + " | " + default_cell(key) + " | " +
           values_cell(key) + " | " + cell(key.description) + " |\n";
  return out;
}

}  // namespace skiff::sdk

namespace skiff::sdk {

void check_config_rules(const ConfigTable& table, const Config& config) {
  for (const auto& key : table) {
    if (!key.constrained() || !config.has(key.name)) continue;
    std::string problem = constraint_violation(key, YAML::Load(config.get_yaml(key.name)));
    if (!problem.empty()) throw Error(Status::Invalid("config " + key.name + ": " + problem));
  }
}

}  // namespace skiff::sdk
