// A skiffd node running given plugins on a test's own nats-server: start, restart, kill.
#pragma once

#include <memory>
#include <string>

#include "nats_server.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiffd_process.hpp"
#include "temp_dir.hpp"

namespace skiff::test {

class PluginNode {
 public:
  // plugins_yaml: the `plugins:` list of the profile (indented entries).
  PluginNode(NatsServer& nats, std::string plugins_yaml, std::string node = "test-node");
  ~PluginNode();

  void start();  // returns once skiffd logs ready; throws with its output otherwise
  void stop();   // SIGTERM and wait
  void kill();   // SIGKILL: no clean shutdown
  void restart() {
    stop();
    start();
  }

  sdk::Bus& bus() { return *bus_; }
  const sdk::Subjects& subjects() const { return subjects_; }
  const TempDir& dir() const { return dir_; }
  std::string output() const { return process_ ? process_->output() : ""; }
  pid_t pid() const { return process_ ? process_->pid() : -1; }

 private:
  NatsServer& nats_;
  TempDir dir_;
  std::string profile_;
  sdk::Subjects subjects_;
  sdk::BusPtr bus_;
  std::unique_ptr<SkiffdProcess> process_;
  int runs_ = 0;
};

}  // namespace skiff::test
