// Parses and validates a profile; every problem names the file, the line and the fix.
#include "profile.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "builtin_profiles.hpp"
#include "logging.hpp"
#include "nats_config.hpp"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/duration.hpp"

namespace skiff::kernel {

using sdk::ConfigKey;
using sdk::ConfigTable;
using sdk::ConfigType;

std::string_view to_string(Isolation isolation) {
  return isolation == Isolation::Process ? "process" : "in-process";
}

namespace {

const ConfigTable kProfileKeys = {
    {"node", ConfigType::String, "", "this node's name (default: the host name)"},
    {"cluster", ConfigType::String, "skiff", "cluster name; the bus subjects start with skiff.<cluster>"},
    {"roles", ConfigType::List, "[]", "node roles, become node-role.kubernetes.io/<role> labels (master and control-plane: both)"},
    {"labels", ConfigType::Map, "{}", "extra node labels"},
    {"bus", ConfigType::Any, "embedded", "`embedded`, or a mapping: url, token | user+password | credentials, tls_*"},
    {"data_dir", ConfigType::String, "", "state directory (default /var/lib/skiff as root, ~/.local/share/skiff)"},
    {"log_level", ConfigType::String, "info", "trace, debug, info, warn, error or off"},
    {"stop_timeout", ConfigType::Duration, "10s", "how long a clean stop may take before skiffd exits anyway"},
    {"supervisor", ConfigType::Map, "{}", "restart policy for plugins with isolation: process"},
    {"plugins", ConfigType::List, "[]", "the plugins this node runs, started in dependency order"},
};

const ConfigTable kSupervisorKeys = {
    {"restart_backoff", ConfigType::Duration, "1s", "first restart delay; doubles with each crash"},
    {"restart_backoff_max", ConfigType::Duration, "30s", "longest restart delay"},
    {"max_restarts", ConfigType::Int, "5", "crashes within restart_window before the plugin is marked failed"},
    {"restart_window", ConfigType::Duration, "60s", "the window in which crashes are counted"},
    {"start_timeout", ConfigType::Duration, "30s", "how long an isolated plugin may take to report started"},
};

const ConfigTable& embedded_bus_keys() {
  static const ConfigTable table = [] {
    ConfigTable t = sdk::bus_connection_keys();
    t.push_back({"embedded", ConfigType::Bool, "false", "start and supervise a local nats-server"});
    t.push_back({"host", ConfigType::String, "127.0.0.1", "embedded: listen address"});
    t.push_back({"port", ConfigType::Int, "0", "embedded: listen port (0 = a free port)"});
    t.push_back({"server", ConfigType::String, "nats-server", "embedded: the nats-server binary"});
    t.push_back({"jetstream_max_file_store", ConfigType::String, "4GB",
                 "embedded: disk JetStream may use for the streams addons own (cluster logs), e.g. 512MB, 10GB"});
    t.push_back({"cluster_port", ConfigType::Int, "0",
                 "embedded, several masters: port of the NATS cluster routes (e.g. 6222; 0 = a lone server)"});
    t.push_back({"routes", ConfigType::List, "[]", "embedded, several masters: the other masters' host:cluster_port"});
    t.push_back({"server_name", ConfigType::String, "", "embedded, several masters: this server's name (default: the node)"});
    return t;
  }();
  return table;
}

const ConfigTable kPluginEntryKeys = {
    {"name", ConfigType::String, std::nullopt, "instance name, unique in the profile"},
    {"plugin", ConfigType::String, "", "which plugin (default: name); loads <plugin>.so"},
    {"path", ConfigType::String, "", "load this .so instead of searching the plugin path"},
    {"optional", ConfigType::Bool, "false", "skip (with a warning) when the plugin is missing"},
    {"isolation", ConfigType::String, "in-process", "in-process, or process: a supervised child skiffd"},
    {"log_level", ConfigType::String, "", "this plugin's log level (default: the profile's)"},
    {"config", ConfigType::Map, "{}", "the plugin's own settings (skiffd plugins --config NAME)"},
};

// DNS-1123 names: Kubernetes node names are subdomains; cluster and instance names are labels.
const std::regex kLabel("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
const std::regex kSubdomain("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

std::string where(const std::string& source, const YAML::Node& node) {
  std::string line = sdk::yaml_line(node);
  return source + (line.empty() ? "" : " " + line);
}

std::string expand_environment(const std::string& text) {
  static const std::regex kVariable(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\})");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kVariable);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out.append(text, last, m.position() - last);
    const char* value = std::getenv(m[1].str().c_str());
    out += (value && *value) ? std::string(value) : m[3].str();
    last = m.position() + m.length();
  }
  out.append(text, last, std::string::npos);
  return out;
}

std::string host_name() {
  char buffer[256] = {0};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "localhost";
  std::string name = buffer;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

spdlog::level::level_enum level_or_throw(const std::string& text, const std::string& at) {
  auto level = parse_log_level(text);
  if (!level) throw ProfileError(at + ": log_level '" + text + "' is not one of trace, debug, info, warn, error, off");
  return *level;
}

std::chrono::milliseconds duration(const YAML::Node& node) { return *sdk::parse_duration(node.as<std::string>()); }

// The cluster keys of an embedded bus: routes only make sense with a port to accept them on.
void parse_bus_cluster(const Profile& profile, const YAML::Node& raw, const YAML::Node& checked,
                       EmbeddedBusSettings& embedded) {
  embedded.cluster_port = checked["cluster_port"].as<int>();
  for (const auto& route : checked["routes"]) embedded.routes.push_back(route.as<std::string>());
  if (!checked["server_name"].IsNull()) embedded.server_name = checked["server_name"].as<std::string>();
  if (embedded.server_name.empty()) embedded.server_name = profile.node;
  if (embedded.cluster_port < 0 || embedded.cluster_port > 65535)
    throw ProfileError(where(profile.source, raw["bus"]["cluster_port"]) + ": cluster_port must be a port (1-65535), "
                       "or 0 for a server alone");
  if (!embedded.routes.empty() && embedded.cluster_port == 0)
    throw ProfileError(where(profile.source, raw["bus"]["routes"]) + ": routes need cluster_port (e.g. 6222), the "
                       "port the other masters' servers dial this one on");
  try {
    for (const auto& route : embedded.routes) route_url(route, "");
  } catch (const ProfileError& e) {
    throw ProfileError(where(profile.source, raw["bus"]["routes"]) + ": " + e.what());
  }
}

void parse_bus(Profile& profile, const YAML::Node& raw, const YAML::Node& validated) {
  YAML::Node bus = validated["bus"];
  if (bus.IsScalar()) {
    if (bus.Scalar() != "embedded")
      throw ProfileError(where(profile.source, raw["bus"]) + ": bus must be `embedded` or a mapping with url and "
                         "credentials, got '" + bus.Scalar() + "'");
    profile.embedded_bus = EmbeddedBusSettings{};
    return;
  }
  if (!bus.IsMap())
    throw ProfileError(where(profile.source, raw["bus"]) + ": bus must be `embedded` or a mapping (url, token …)");
  YAML::Node checked = sdk::validate_config(embedded_bus_keys(), raw["bus"], profile.source + ": bus");
  if (checked["embedded"].as<bool>()) {
    EmbeddedBusSettings embedded;
    embedded.host = checked["host"].as<std::string>();
    embedded.port = checked["port"].as<int>();
    embedded.server = checked["server"].as<std::string>();
    embedded.jetstream_max_file_store = checked["jetstream_max_file_store"].as<std::string>();
    if (!std::regex_match(embedded.jetstream_max_file_store, std::regex("[0-9]+(KB|MB|GB|TB)?")))
      throw ProfileError(where(profile.source, raw["bus"]["jetstream_max_file_store"]) +
                         ": jetstream_max_file_store must be a size such as 512MB or 10GB, got '" +
                         embedded.jetstream_max_file_store + "'");
    parse_bus_cluster(profile, raw, checked, embedded);
    profile.embedded_bus = embedded;
    return;
  }
  YAML::Node connection(YAML::NodeType::Map);
  for (const auto& key : sdk::bus_connection_keys())
    if (!checked[key.name].IsNull()) connection[key.name] = checked[key.name];
  try {
    sdk::BusOptions options = sdk::BusOptions::from_yaml(YAML::Dump(connection));
    if (options.urls.empty())
      throw ProfileError(where(profile.source, raw["bus"]) + ": bus.url is empty; set it (nats://host:4222) or use "
                         "`bus: embedded`");
    if (!options.has_credentials())
      throw ProfileError(where(profile.source, raw["bus"]) + ": the bus always requires credentials; set bus.token, "
                         "bus.user and bus.password, or bus.credentials");
  } catch (const sdk::Error& e) {
    throw ProfileError(where(profile.source, raw["bus"]) + ": " + e.what());
  }
  profile.bus = connection;
}

PluginEntry parse_plugin_entry(const Profile& profile, const YAML::Node& raw) {
  std::string at = where(profile.source, raw);
  if (!raw.IsMap()) throw ProfileError(at + ": each plugin must be a mapping with at least `name:`");
  YAML::Node entry = sdk::validate_config(kPluginEntryKeys, raw, profile.source + ": plugin");
  PluginEntry plugin;
  plugin.name = entry["name"].as<std::string>();
  plugin.where = at;
  if (!std::regex_match(plugin.name, kLabel))
    throw ProfileError(where(profile.source, raw["name"]) + ": plugin name '" + plugin.name +
                       "' must be lower-case letters, digits and '-' (a DNS label)");
  plugin.plugin = entry["plugin"].IsNull() ? plugin.name : entry["plugin"].as<std::string>();
  plugin.path = entry["path"].IsNull() ? "" : entry["path"].as<std::string>();
  if (!plugin.path.empty() && entry["plugin"].IsNull()) plugin.plugin.clear();  // the file's manifest decides
  plugin.optional = entry["optional"].as<bool>();
  std::string isolation = entry["isolation"].as<std::string>();
  if (isolation == "process")
    plugin.isolation = Isolation::Process;
  else if (isolation != "in-process")
    throw ProfileError(where(profile.source, raw["isolation"]) + ": isolation must be in-process or process, got '" +
                       isolation + "'");
  if (!entry["log_level"].IsNull())
    plugin.log_level = level_or_throw(entry["log_level"].as<std::string>(), where(profile.source, raw["log_level"]));
  if (raw["config"].IsDefined()) plugin.config = raw["config"];
  return plugin;
}

}  // namespace

Profile parse_profile(const std::string& yaml_text, const std::string& source) {
  Profile profile;
  profile.source = source;
  YAML::Node raw;
  try {
    raw = YAML::Load(expand_environment(yaml_text));
  } catch (const YAML::ParserException& e) {
    throw ProfileError(source + " line " + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (raw.IsNull()) raw = YAML::Node(YAML::NodeType::Map);
  YAML::Node top;
  try {
    top = sdk::validate_config(kProfileKeys, raw, source);

    profile.node = top["node"].IsNull() ? host_name() : top["node"].as<std::string>();
    if (!std::regex_match(profile.node, kSubdomain))
      throw ProfileError(where(source, raw["node"]) + ": node name '" + profile.node +
                         "' must be lower-case letters, digits, '-' and '.' (a DNS subdomain); set `node:`");
    profile.cluster = top["cluster"].as<std::string>();
    if (!std::regex_match(profile.cluster, kLabel))
      throw ProfileError(where(source, raw["cluster"]) + ": cluster name '" + profile.cluster +
                         "' must be lower-case letters, digits and '-' (a DNS label)");
    for (const auto& role : top["roles"]) profile.roles.push_back(role.as<std::string>());
    for (const auto& label : top["labels"]) profile.labels[label.first.as<std::string>()] = label.second.as<std::string>();
    parse_bus(profile, raw, top);
    profile.data_dir = top["data_dir"].IsNull() ? "" : top["data_dir"].as<std::string>();
    profile.log_level = level_or_throw(top["log_level"].as<std::string>(), where(source, raw["log_level"]));
    profile.stop_timeout = duration(top["stop_timeout"]);

    YAML::Node supervisor = sdk::validate_config(kSupervisorKeys, raw["supervisor"], source + ": supervisor");
    profile.supervisor.restart_backoff = duration(supervisor["restart_backoff"]);
    profile.supervisor.restart_backoff_max = duration(supervisor["restart_backoff_max"]);
    profile.supervisor.max_restarts = supervisor["max_restarts"].as<int>();
    profile.supervisor.restart_window = duration(supervisor["restart_window"]);
    profile.supervisor.start_timeout = duration(supervisor["start_timeout"]);

    std::set<std::string> names;
    for (const auto& raw_entry : raw["plugins"]) {
      PluginEntry entry = parse_plugin_entry(profile, raw_entry);
      if (!names.insert(entry.name).second)
        throw ProfileError(entry.where + ": plugin name '" + entry.name +
                           "' is used twice; give the second instance its own name and set `plugin: " +
                           entry.plugin + "`");
      profile.plugins.push_back(std::move(entry));
    }
  } catch (const sdk::ConfigError& e) {
    throw ProfileError(e.what());
  } catch (const YAML::Exception& e) {
    throw ProfileError(source + " line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return profile;
}

Profile load_profile(const std::string& name_or_file) {
  bool looks_like_file = name_or_file.find('/') != std::string::npos || name_or_file.ends_with(".yaml") ||
                         name_or_file.ends_with(".yml");
  if (!looks_like_file) {
    if (auto text = builtin_profile(name_or_file)) return parse_profile(std::string(*text), "built-in profile " + name_or_file);
    std::ifstream probe(name_or_file);
    if (!probe) {
      std::string names;
      for (auto n : builtin_profile_names()) names += (names.empty() ? "" : ", ") + std::string(n);
      throw ProfileError("profile '" + name_or_file + "' is neither a built-in profile (" + names +
                         ") nor a file; pass one of those names or the path of a YAML profile");
    }
  }
  std::ifstream file(name_or_file);
  if (!file) throw ProfileError("profile " + name_or_file + ": cannot read the file (" + std::strerror(errno) + ")");
  std::stringstream text;
  text << file.rdbuf();
  return parse_profile(text.str(), name_or_file);
}

std::vector<std::string> node_role_labels(const std::vector<std::string>& roles) {
  std::vector<std::string> keys;
  auto add = [&](const std::string& role) {
    std::string key = "node-role.kubernetes.io/" + role;
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  };
  for (const auto& role : roles) {
    if (role == "master" || role == "control-plane") {
      add("control-plane");
      add("master");
    } else {
      add(role);
    }
  }
  return keys;
}

}  // namespace skiff::kernel
