// A started plugin as the kernel sees it, whether it runs in-process or in a child skiffd.
#pragma once

#include <memory>
#include <string>

#include <spdlog/common.h>

#include "skiff/kernel/v1/kernel.pb.h"

namespace skiff::kernel {

// What every plugin of a node is handed besides its own config.
struct NodeSettings {
  std::string cluster;
  std::string node;
  std::string data_dir;  // the node's; each plugin gets <data_dir>/plugins/<instance>
  std::string bus_yaml;  // connection block: url + credentials (+ tls)
  std::string node_labels;  // "key=value" lines (skiff_host.node_labels)
  spdlog::level::level_enum log_level = spdlog::level::info;
};

class PluginRunner {
 public:
  virtual ~PluginRunner() = default;
  virtual const std::string& instance() const = 0;
  // Returns once the plugin serves; throws PluginError with a one-line reason.
  virtual void start() = 0;
  // Never throws; problems are logged.
  virtual void stop() = 0;
  // Safe from any thread.
  virtual kernel::v1::PluginStatus status() = 0;
};

using PluginRunnerPtr = std::unique_ptr<PluginRunner>;

}  // namespace skiff::kernel
