// Runs a plugin inside this process through its descriptor's C callbacks.
#pragma once

#include <shared_mutex>

#include <spdlog/logger.h>

#include "plugin_library.hpp"
#include "plugin_runner.hpp"

namespace skiff::kernel {

class InProcessPlugin final : public PluginRunner {
 public:
  // config_yaml is the validated block with defaults applied.
  InProcessPlugin(std::string instance, const LoadedPlugin& plugin, std::string config_yaml, const NodeSettings& node,
                  spdlog::level::level_enum log_level);
  ~InProcessPlugin() override;

  const std::string& instance() const override { return instance_; }
  void start() override;
  void stop() override;
  kernel::v1::PluginStatus status() override;

 private:
  std::string instance_;
  const LoadedPlugin& plugin_;
  std::string config_yaml_;
  NodeSettings node_;
  std::string plugin_data_dir_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_mutex mutex_;  // health() runs under a shared lock, destroy under an exclusive one
  void* handle_ = nullptr;
  std::string state_ = "idle";
};

}  // namespace skiff::kernel
