// runtime-containerd's config block: the declarative table (keys, types, defaults, docs) bound
// to Settings, from which both the parsing and the README's config section come.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "skiff/sdk/config_binding.hpp"

namespace skiff::containerd {

struct Settings {
  std::string socket;
  std::string namespace_;
  std::string sandbox_image;
  std::optional<std::string> log_directory;
  std::optional<std::string> cni_conf_dir;
  std::string containerd_cni_conf_dir;
  std::string default_bridge;
  std::string default_pod_cidr;
  std::string default_ipam_dir;
  std::string cgroup_parent;
  std::chrono::milliseconds timeout{};
};

const sdk::ConfigMap<Settings>& config_map();

}  // namespace skiff::containerd
