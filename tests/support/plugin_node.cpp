// Writes a profile for the given plugins and runs skiffd with it.
#include "plugin_node.hpp"

#include <signal.h>

#include <fstream>
#include <stdexcept>

#include "wait.hpp"

namespace skiff::test {

PluginNode::PluginNode(NatsServer& nats, std::string plugins_yaml, std::string node)
    : nats_(nats), profile_(dir_.file("profile.yaml")), subjects_("test", node), bus_(sdk::connect_bus(nats.options())) {
  std::ofstream(profile_) << "node: " << node << "\ncluster: test\n" << nats.profile_bus_yaml()
                          << "stop_timeout: 20s\nplugins:\n" << plugins_yaml;
}

PluginNode::~PluginNode() { stop(); }

void PluginNode::start() {
  std::string log = dir_.file("skiffd-" + std::to_string(++runs_) + ".log");
  process_ = std::make_unique<SkiffdProcess>(
      std::vector<std::string>{"--profile", profile_, "--data-dir", dir_.file("data")}, log);
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
