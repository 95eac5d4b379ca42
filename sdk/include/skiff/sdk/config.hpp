// A plugin's config: the declared key table and typed read access to the validated values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::sdk {

enum class ConfigType { String, Int, Bool, Double, Duration, List, Map, Any };

std::string_view to_string(ConfigType type);
std::optional<ConfigType> parse_config_type(std::string_view name);

// One row of the table that both validates a config block and documents it. The kernel
// refuses a value outside `one_of` or [minimum, maximum] with its line in the profile.
struct ConfigKey {
  ConfigKey() = default;
  // The four columns every key has; the constraints are set on the fields below.
  ConfigKey(std::string name, ConfigType type, std::optional<std::string> default_value, std::string description)
      : name(std::move(name)), type(type), default_value(std::move(default_value)), description(std::move(description)) {}

  std::string name;
  ConfigType type = ConfigType::String;
  std::optional<std::string> default_value;  // YAML text; nullopt = required
  std::string description;
  std::vector<std::string> one_of;           // allowed values; empty: any
  std::optional<std::string> minimum;        // int, double, duration: YAML scalar ("1", "10ms")
  std::optional<std::string> maximum;

  bool constrained() const { return !one_of.empty() || minimum || maximum; }
};
using ConfigTable = std::vector<ConfigKey>;

// Read access to a validated config block: every declared key is present (defaults applied),
// so getters throw only on a programming error (an undeclared key or the wrong type).
class Config {
 public:
  Config();
  explicit Config(std::string_view yaml_mapping);
  ~Config();
  Config(const Config&);
  Config& operator=(const Config&);

  // False when the key is absent or null (a key declared with an empty default).
  bool has(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  double get_double(std::string_view key) const;
  std::chrono::milliseconds get_duration(std::string_view key) const;
  std::vector<std::string> get_list(std::string_view key) const;
  // A map of scalars (a `map` key such as node labels); an absent key gives an empty map.
  std::map<std::string, std::string> get_map(std::string_view key) const;
  // A map (or any value) re-emitted as YAML text, for nested structures.
  std::string get_yaml(std::string_view key) const;
  // The whole block as YAML text.
  std::string yaml() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skiff::sdk
