// Reading CNI network configuration lists: from text, or the one a runtime picks from a directory.
#include "skiff/sdk/cni/network_config.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "skiff/sdk/status.hpp"

namespace skiff::sdk::cni {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void invalid(const std::string& source, const std::string& what) {
  throw Error(Status::Invalid("CNI network configuration" + (source.empty() ? "" : " " + source) + ": " + what));
}

std::string string_field(const json::object& object, std::string_view key, const std::string& source) {
  const json::value* value = object.if_contains(key);
  if (!value) return "";
  if (!value->is_string()) invalid(source, "'" + std::string(key) + "' must be a string");
  return std::string(value->as_string());
}

// The spec's rule for network names; they also name host-local's directories.
bool valid_name(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

void check_plugin(const json::value& plugin, std::size_t index, const std::string& source) {
  std::string at = "plugin " + std::to_string(index);
  if (!plugin.is_object()) invalid(source, at + " is not an object");
  std::string type = string_field(plugin.as_object(), "type", source);
  if (type.empty()) invalid(source, at + " has no 'type' (the name of its binary)");
  if (type.find('/') != std::string::npos || type == "." || type == "..")
    invalid(source, at + ": 'type' " + type + " is not a file name");
}

bool is_config_file(const fs::path& path) {
  auto ext = path.extension().string();
  return ext == ".conflist" || ext == ".conf" || ext == ".json";
}

}  // namespace

json::object NetworkConfigList::to_json() const {
  json::array list;
  for (const auto& plugin : plugins) list.push_back(plugin);
  json::object out{{"cniVersion", cni_version}, {"name", name}, {"plugins", std::move(list)}};
  if (disable_check) out["disableCheck"] = true;
  return out;
}

NetworkConfigList parse_network_config_list(std::string_view text, const std::string& source) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) invalid(source, "not JSON: " + ec.message());
  if (!parsed.is_object()) invalid(source, "not a JSON object");
  json::object& object = parsed.as_object();
  NetworkConfigList list;
  list.source = source;
  list.cni_version = string_field(object, "cniVersion", source);
  list.name = string_field(object, "name", source);
  if (list.cni_version.empty()) invalid(source, "no 'cniVersion'");
  if (!valid_name(list.name)) invalid(source, "'name' \"" + list.name + "\" must be letters, digits, '_', '.', '-'");
  if (const auto* disable = object.if_contains("disableCheck")) list.disable_check = disable->is_bool() && disable->as_bool();
  const json::value* plugins = object.if_contains("plugins");
  if (!plugins && object.contains("type")) {  // a single plugin's configuration
    check_plugin(object, 0, source);
    list.plugins.push_back(object);
    return list;
  }
  if (!plugins || !plugins->is_array() || plugins->as_array().empty()) invalid(source, "'plugins' must be a non-empty list");
  for (std::size_t i = 0; i < plugins->as_array().size(); ++i) {
    check_plugin(plugins->as_array()[i], i, source);
    list.plugins.push_back(plugins->as_array()[i].as_object());
  }
  return list;
}

std::optional<NetworkConfigList> load_network_config_list(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && is_config_file(entry.path())) files.push_back(entry.path());
  if (files.empty()) return std::nullopt;
  std::sort(files.begin(), files.end());
  std::ifstream in(files.front());
  std::stringstream text;
  text << in.rdbuf();
  if (!in) invalid(files.front().string(), "cannot be read");
  return parse_network_config_list(text.str(), files.front().string());
}

}  // namespace skiff::sdk::cni
