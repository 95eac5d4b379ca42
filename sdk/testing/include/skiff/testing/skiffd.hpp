// The real skiffd for a test: as a process with its output captured, or as a node that hosts
// given plugins on a test's own nats-server (the harness every conformance suite runs on).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiff/testing/nats_server.hpp"
#include "skiff/testing/process.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace skiff::test {

// The skiffd to test with: $SKIFF_SKIFFD, else the one installed with this SDK (found beside
// libskiff-sdk: <prefix>/bin/skiffd; in a build tree, build/bin/skiffd). Throws naming both
// places when there is none.
std::string skiffd_binary();
// Where that skiffd finds its built-in plugins (store-lmdb, apiserver …): <prefix>/lib/skiff/plugins.
std::string builtin_plugin_dir();

class SkiffdProcess {
 public:
  // Starts `skiffd <args…>`; output (stdout+stderr) goes to `log_file`.
  SkiffdProcess(std::vector<std::string> args, std::string log_file);
  ~SkiffdProcess();  // SIGKILLs it if still running

  pid_t pid() const { return process_->pid(); }
  // Waits for exit; returns the exit code (128+signal when killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM and wait.
  std::optional<int> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::string output() const;
  bool output_contains(const std::string& text) const { return output().find(text) != std::string::npos; }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string log_file_;
};

// Runs `skiffd <args…>` to completion; returns {exit code, output}.
std::pair<int, std::string> run_skiffd(const std::vector<std::string>& args,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Pids of processes whose command line contains `needle` (for "nothing left running" checks).
std::vector<pid_t> processes_matching(const std::string& needle);

// A skiffd node running the given plugins on a test's own nats-server: start, restart, kill.
// Its profile names the node and cluster "test", joins `nats` with its token, and lists
// `plugins_yaml` (indented entries: "  - name: my-runtime\n    config: {…}\n"). Plugins are
// found in `plugin_dirs` first (the plugin under test's build dir), then in skiffd's own.
class PluginNode {
 public:
  PluginNode(NatsServer& nats, std::string plugins_yaml, std::string node = "test-node",
             std::vector<std::string> plugin_dirs = {});
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
  std::vector<std::string> plugin_dirs_;
  sdk::Subjects subjects_;
  sdk::BusPtr bus_;
  std::unique_ptr<SkiffdProcess> process_;
  int runs_ = 0;
};

}  // namespace skiff::test
