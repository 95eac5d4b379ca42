// runtime-runc's config block: the declarative table (keys, types, defaults, docs) bound to
// Settings, from which both the parsing and the README's config section come.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "skiff/sdk/config_binding.hpp"

namespace skiff::runc {

struct Settings {
  std::optional<std::string> root;
  std::string runc;
  std::optional<std::string> monitor;
  std::optional<std::string> init;
  std::vector<std::string> insecure_registries;
  std::vector<std::string> image_archives;
  std::chrono::milliseconds pull_timeout{};
  std::optional<std::string> cni_conf_dir;
  std::vector<std::string> cni_bin_dirs;
  std::chrono::milliseconds cni_timeout{};
  std::string default_bridge;
  std::string default_pod_cidr;
  std::string default_ipam_dir;
  std::string cgroup_parent;
  std::int64_t log_max_bytes = 0;
  std::int64_t log_max_files = 0;
};

const sdk::ConfigMap<Settings>& config_map();

}  // namespace skiff::runc
