// Typed read access to a plugin's validated config block.
#include "skiff/sdk/config.hpp"

#include <yaml-cpp/yaml.h>

#include "skiff/sdk/duration.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {

namespace {
constexpr std::pair<ConfigType, std::string_view> kTypeNames[] = {
    {ConfigType::String, "string"}, {ConfigType::Int, "int"},           {ConfigType::Bool, "bool"},
    {ConfigType::Double, "double"}, {ConfigType::Duration, "duration"}, {ConfigType::List, "list"},
    {ConfigType::Map, "map"},       {ConfigType::Any, "any"},
};
}  // namespace

std::string_view to_string(ConfigType type) {
  for (auto& [t, name] : kTypeNames)
    if (t == type) return name;
  return "?";
}

std::optional<ConfigType> parse_config_type(std::string_view name) {
  for (auto& [t, n] : kTypeNames)
    if (n == name) return t;
  return std::nullopt;
}

struct Config::Impl {
  YAML::Node root;

  YAML::Node at(std::string_view key) const {
    YAML::Node value = root[std::string(key)];
    if (!value.IsDefined() || value.IsNull())
      throw Error(Status::Internal("config key '" + std::string(key) +
                                   "' is not set; declare it with a default in the plugin's config table"));
    return value;
  }

  template <class T>
  T scalar(std::string_view key, std::string_view type) const {
    try {
      return at(key).as<T>();
    } catch (const YAML::Exception&) {
      throw Error(Status::Internal("config key '" + std::string(key) + "' is not a " + std::string(type)));
    }
  }
};

Config::Config() : impl_(std::make_unique<Impl>()) { impl_->root = YAML::Node(YAML::NodeType::Map); }

Config::Config(std::string_view yaml_mapping) : Config() {
  if (!yaml_mapping.empty()) impl_->root = YAML::Load(std::string(yaml_mapping));
  if (!impl_->root.IsMap()) impl_->root = YAML::Node(YAML::NodeType::Map);
}

Config::~Config() = default;
Config::Config(const Config& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Config& Config::operator=(const Config& other) {
  impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}

bool Config::has(std::string_view key) const {
  YAML::Node value = impl_->root[std::string(key)];
  return value.IsDefined() && !value.IsNull();
}

std::string Config::get_string(std::string_view key) const { return impl_->scalar<std::string>(key, "string"); }
std::int64_t Config::get_int(std::string_view key) const { return impl_->scalar<std::int64_t>(key, "int"); }
bool Config::get_bool(std::string_view key) const { return impl_->scalar<bool>(key, "bool"); }
double Config::get_double(std::string_view key) const { return impl_->scalar<double>(key, "double"); }

std::chrono::milliseconds Config::get_duration(std::string_view key) const {
  auto parsed = parse_duration(get_string(key));
  if (!parsed) throw Error(Status::Internal("config key '" + std::string(key) + "' is not a duration"));
  return *parsed;
}

std::vector<std::string> Config::get_list(std::string_view key) const {
  YAML::Node value = impl_->root[std::string(key)];
  std::vector<std::string> out;
  if (!value.IsDefined() || value.IsNull()) return out;
  if (!value.IsSequence()) throw Error(Status::Internal("config key '" + std::string(key) + "' is not a list"));
  for (const auto& item : value) out.push_back(item.as<std::string>());
  return out;
}

std::map<std::string, std::string> Config::get_map(std::string_view key) const {
  YAML::Node value = impl_->root[std::string(key)];
  std::map<std::string, std::string> out;
  if (!value.IsDefined() || value.IsNull()) return out;
  if (!value.IsMap()) throw Error(Status::Internal("config key '" + std::string(key) + "' is not a map"));
  for (const auto& entry : value) {
    if (!entry.second.IsScalar())
      throw Error(Status::Invalid("config key '" + std::string(key) + "': the value of '" + entry.first.Scalar() +
                                  "' must be a plain value, not a list or mapping"));
    out[entry.first.Scalar()] = entry.second.Scalar();
  }
  return out;
}

std::string Config::get_yaml(std::string_view key) const {
  YAML::Emitter out;
  out << impl_->root[std::string(key)];
  return out.c_str();
}

std::string Config::yaml() const {
  YAML::Emitter out;
  out << impl_->root;
  return out.c_str();
}

}  // namespace skiff::sdk
