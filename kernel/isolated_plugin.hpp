// Runs a plugin in a child skiffd (`isolation: process`), restarted when it crashes.
#pragma once

#include <memory>
#include <vector>

#include "plugin_library.hpp"
#include "plugin_runner.hpp"
#include "profile.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"
#include "supervised_process.hpp"

namespace skiff::kernel {

// The environment variables a child skiffd reads (set only by the parent).
inline constexpr const char* kChildBusEnv = "SKIFF_CHILD_BUS";
inline constexpr const char* kChildReadyFdEnv = "SKIFF_READY_FD";

class IsolatedPlugin final : public PluginRunner {
 public:
  // child_argv: the skiffd command line that hosts just this plugin (`… --only <instance>`).
  IsolatedPlugin(std::string instance, const LoadedPlugin& plugin, std::vector<std::string> child_argv,
                 const NodeSettings& node, const SupervisorSettings& supervisor, sdk::Bus& kernel_bus,
                 std::chrono::milliseconds stop_grace);
  ~IsolatedPlugin() override;

  const std::string& instance() const override { return instance_; }
  void start() override;
  void stop() override;
  kernel::v1::PluginStatus status() override;

 private:
  std::string instance_;
  const LoadedPlugin& plugin_;
  sdk::Bus& kernel_bus_;
  sdk::Subjects subjects_;
  std::chrono::milliseconds stop_grace_;
  std::unique_ptr<SupervisedProcess> process_;
};

}  // namespace skiff::kernel
