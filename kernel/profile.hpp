// A node's profile: who it is, how it joins the bus, and which plugins it runs.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/common.h>
#include <yaml-cpp/yaml.h>

namespace skiff::kernel {

class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Isolation { InProcess, Process };
std::string_view to_string(Isolation isolation);

struct PluginEntry {
  std::string name;    // instance name, unique in the profile
  std::string plugin;  // which plugin: the file <plugin>.so and its manifest name
  std::string path;    // an explicit .so, instead of searching the plugin path
  bool optional = false;
  Isolation isolation = Isolation::InProcess;
  std::optional<spdlog::level::level_enum> log_level;
  YAML::Node config;  // as written, with line marks
  std::string where;  // "profile.yaml line 12", for messages
};

struct SupervisorSettings {
  std::chrono::milliseconds restart_backoff{1000};
  std::chrono::milliseconds restart_backoff_max{30000};
  int max_restarts = 5;  // crashes within restart_window before a plugin is marked failed
  std::chrono::milliseconds restart_window{60000};
  std::chrono::milliseconds start_timeout{30000};
};

struct EmbeddedBusSettings {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port
  std::string server = "nats-server";
  std::string jetstream_max_file_store = "4GB";  // JetStream's disk limit (NATS size syntax)
  // Several masters: their servers form one NATS cluster (routes on cluster_port; 0 = alone).
  int cluster_port = 0;
  std::vector<std::string> routes;  // the other masters' host:cluster_port
  std::string server_name;          // this server's name in the cluster (default: the node name)
};

struct Profile {
  std::string source;  // the file, or "built-in profile <name>"
  std::string node;
  std::string cluster;
  std::vector<std::string> roles;
  std::map<std::string, std::string> labels;
  std::optional<EmbeddedBusSettings> embedded_bus;
  YAML::Node bus;  // connection keys for an external bus
  std::string data_dir;
  spdlog::level::level_enum log_level = spdlog::level::info;
  std::chrono::milliseconds stop_timeout{10000};
  SupervisorSettings supervisor;
  std::vector<PluginEntry> plugins;
};

// `name_or_file` is a built-in profile name (master, worker, allinone) or a YAML file.
// ${VAR} and ${VAR:-default} are replaced from the environment before parsing.
Profile load_profile(const std::string& name_or_file);
Profile parse_profile(const std::string& yaml_text, const std::string& source);

// The node-role.kubernetes.io/<role> label keys of `roles`. A control-plane node carries both
// `control-plane` and the older `master` (tools select either), whichever the profile names.
std::vector<std::string> node_role_labels(const std::vector<std::string>& roles);

}  // namespace skiff::kernel
