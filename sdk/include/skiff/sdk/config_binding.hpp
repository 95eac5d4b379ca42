// Config tables that bind (after Fluent Bit's config_map): each row names a field of the
// plugin's own settings struct, so one table declares, validates, documents (the README's
// table) and reads the config.
//
//   struct Settings { std::int64_t workers = 0; SyncMode sync{}; std::chrono::milliseconds timeout{}; };
//   const sdk::ConfigMap<Settings>& config_map() {
//     static const sdk::ConfigMap<Settings> map{
//         sdk::bind_key("workers", &Settings::workers, "4", "requests handled at once").at_least(1),
//         sdk::bind_key("sync", &Settings::sync, "full", {{"full", SyncMode::Full}, {"none", SyncMode::None}}, "…"),
//         sdk::bind_key("timeout", &Settings::timeout, "30s", "…").range("1ms", "1h"),
//     };
//     return map;
//   }
//   manifest: m.config = config_map().table();     start(): Settings s = config_map().read(context.config());
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "skiff/sdk/config.hpp"

namespace skiff::sdk {

// The default of a key that has none: the profile must set it.
inline const std::optional<std::string> kRequired = std::nullopt;

// Throws Error(422) naming the first key whose value breaks its one_of / minimum / maximum
// (skiffd checks these too; this is for kernels older than the rules).
void check_config_rules(const ConfigTable& table, const Config& config);

template <class Settings>
struct ConfigField {
  ConfigKey key;
  std::function<void(Settings&, const Config&)> assign;

  ConfigField& at_least(std::int64_t minimum) { return bounds(std::to_string(minimum), std::nullopt); }
  ConfigField& range(std::int64_t minimum, std::int64_t maximum) {
    return bounds(std::to_string(minimum), std::to_string(maximum));
  }
  // Durations (and doubles) as YAML text: at_least("1ms"), range("100ms", "1h").
  ConfigField& at_least(std::string minimum) { return bounds(std::move(minimum), std::nullopt); }
  ConfigField& range(std::string minimum, std::string maximum) { return bounds(std::move(minimum), std::move(maximum)); }
  ConfigField& one_of(std::vector<std::string> values) {
    key.one_of = std::move(values);
    return *this;
  }

 private:
  ConfigField& bounds(std::optional<std::string> minimum, std::optional<std::string> maximum) {
    key.minimum = std::move(minimum);
    key.maximum = std::move(maximum);
    return *this;
  }
};

namespace detail {

template <class T>
struct is_duration : std::false_type {};
template <class Rep, class Period>
struct is_duration<std::chrono::duration<Rep, Period>> : std::true_type {};

// The config type a field of type T is declared with, and how it is read.
template <class T>
ConfigType config_type_of() {
  if constexpr (std::is_same_v<T, bool>) return ConfigType::Bool;
  else if constexpr (std::is_integral_v<T>) return ConfigType::Int;
  else if constexpr (std::is_floating_point_v<T>) return ConfigType::Double;
  else if constexpr (is_duration<T>::value) return ConfigType::Duration;
  else if constexpr (std::is_same_v<T, std::vector<std::string>>) return ConfigType::List;
  else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) return ConfigType::Map;
  else {
    static_assert(std::is_same_v<T, std::string> || std::is_same_v<T, std::optional<std::string>>,
                  "bind a field of type bool, an integer, a floating point, std::chrono::duration, std::string, "
                  "std::optional<std::string>, std::vector<std::string> or std::map<std::string, std::string>");
    return ConfigType::String;
  }
}

template <class T>
T read_value(const Config& config, const std::string& key) {
  if constexpr (std::is_same_v<T, bool>) return config.get_bool(key);
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(config.get_int(key));
  else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(config.get_double(key));
  else if constexpr (is_duration<T>::value) return std::chrono::duration_cast<T>(config.get_duration(key));
  else if constexpr (std::is_same_v<T, std::vector<std::string>>) return config.get_list(key);
  else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) return config.get_map(key);
  else if constexpr (std::is_same_v<T, std::optional<std::string>>)
    return config.has(key) ? std::optional<std::string>(config.get_string(key)) : std::nullopt;
  else return config.has(key) ? config.get_string(key) : std::string();
}

}  // namespace detail

// A key bound to `field`; `default_value` is YAML text ("" for unset, kRequired for none).
// (Not named `bind`: argument-dependent lookup would find std::bind for std:: field types.)
template <class Settings, class T>
ConfigField<Settings> bind_key(std::string name, T Settings::*field, std::optional<std::string> default_value,
                           std::string description) {
  ConfigField<Settings> f;
  f.key = ConfigKey{name, detail::config_type_of<T>(), std::move(default_value), std::move(description)};
  f.assign = [field, name](Settings& settings, const Config& config) {
    settings.*field = detail::read_value<T>(config, name);
  };
  return f;
}

// A string key whose allowed values name the values of an enum field.
template <class Settings, class Enum>
  requires std::is_enum_v<Enum>
ConfigField<Settings> bind_key(std::string name, Enum Settings::*field, std::optional<std::string> default_value,
                           std::vector<std::pair<std::string, Enum>> values, std::string description) {
  ConfigField<Settings> f;
  f.key = ConfigKey{name, ConfigType::String, std::move(default_value), std::move(description)};
  for (const auto& [text, value] : values) f.key.one_of.push_back(text);
  f.assign = [field, name, values](Settings& settings, const Config& config) {
    std::string text = config.get_string(name);
    for (const auto& [candidate, value] : values)
      if (candidate == text) settings.*field = value;
  };
  return f;
}

template <class Settings>
class ConfigMap {
 public:
  ConfigMap(std::initializer_list<ConfigField<Settings>> fields) : fields_(fields) {}

  // For Manifest::config.
  ConfigTable table() const {
    ConfigTable table;
    for (const auto& f : fields_) table.push_back(f.key);
    return table;
  }
  // The settings from a validated config block (every declared key present), starting from
  // `settings` (fields the table does not bind keep their values).
  Settings read(const Config& config, Settings settings = {}) const {
    check_config_rules(table(), config);
    for (const auto& f : fields_) f.assign(settings, config);
    return settings;
  }

 private:
  std::vector<ConfigField<Settings>> fields_;
};

}  // namespace skiff::sdk
