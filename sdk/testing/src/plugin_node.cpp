// Writes a profile for the given plugins and runs skiffd with it.
#include <signal.h>

#include <fstream>
#include <stdexcept>

#include "skiff/testing/skiffd.hpp"
#include "skiff/testing/wait.hpp"

namespace skiff::test {

PluginNode::PluginNode(NatsServer& nats, std::string plugins_yaml, std::string node, std::vector<std::string> plugin_dirs)
    : nats_(nats),
      profile_(dir_.file("profile.yaml")),
      plugin_dirs_(std::move(plugin_dirs)),
      subjects_("test", node),
      bus_(sdk::connect_bus(nats.options())) {
  std::ofstream(profile_) << "node: " << node << "\ncluster: test\n" << nats.profile_bus_yaml()
                          << "stop_timeout: 20s\nplugins:\n" << plugins_yaml;
}

PluginNode::~PluginNode() { stop(); }

void PluginNode::start() {
  std::string log = dir_.file("skiffd-" + std::to_string(++runs_) + ".log");
  std::vector<std::string> args{"--profile", profile_, "--data-dir", dir_.file("data")};
  for (const auto& dir : plugin_dirs_) args.insert(args.end(), {"--plugin-path", dir});
  process_ = std::make_unique<SkiffdProcess>(args, log);
  bool ready = wait_until([&] { return process_->output_contains(" ready: ") || process_->wait(std::chrono::milliseconds(0)); },
                          std::chrono::seconds(30));
  if (!ready || !process_->output_contains(" ready: "))
    throw std::runtime_error("skiffd did not start:\n" + process_->output());
}

void PluginNode::stop() {
  if (process_) process_->terminate(std::chrono::seconds(30));
}

void PluginNode::kill() {
  if (process_) {
    ::kill(process_->pid(), SIGKILL);
    process_->wait(std::chrono::seconds(10));
  }
}

}  // namespace skiff::test
