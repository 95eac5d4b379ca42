// The kubelet's Docker suites' node: control plane, scheduler, controller-manager, kubelet and
// runtime-docker, the test images built, and every container labelled with the node removed
// before and after each test.
#pragma once

#include <string>
#include <vector>

#include "command.hpp"
#include "kubelet_debug_scenarios.hpp"
#include "kubelet_node_fixture.hpp"
#include "skiff/sdk/runtime/labels.hpp"

namespace skiff::test {

inline const char* kDocker = "/usr/bin/docker";

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (char c : text) {
    if (c != '\n') {
      line += c;
    } else if (!line.empty()) {
      out.push_back(line);
      line.clear();
    }
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

// Removes the node's containers when the test ends, whatever happened.
class DockerCleanup {
 public:
  explicit DockerCleanup(std::string node) : node_(std::move(node)) { remove_all(); }
  ~DockerCleanup() { remove_all(); }
  std::vector<std::string> containers(const std::string& extra_filter = "") const {
    std::vector<std::string> argv = {kDocker, "ps", "-aq", "--no-trunc", "--filter", std::string("label=") + sdk::label::kNode + "=" + node_};
    if (!extra_filter.empty()) argv.insert(argv.end(), {"--filter", extra_filter});
    return lines_of(run_command(argv).out);
  }
  void remove_all() const {
    auto ids = containers();
    if (ids.empty()) return;
    std::vector<std::string> argv = {kDocker, "rm", "-f"};
    argv.insert(argv.end(), ids.begin(), ids.end());
    run_command(argv);
  }

 private:
  std::string node_;
};

class KubeletDocker : public KubeletDebugScenarios<DockerCleanup> {
 protected:
  std::string plugins() const override {
    return "  - name: scheduler-default\n    config: {leader_elect: false}\n"
           "  - name: controller-manager\n    config: {leader_elect: false}\n"
           "  - name: runtime-docker\n    config: {network: docker-bridge}\n"  // no network plugin here
           "  - name: kubelet\n    config: {restart_backoff: 1s, restart_backoff_max: 8s, relist_period: 500ms, server_address: \"127.0.0.1:0\"}\n";
  }
  std::string node_prefix() const override { return "e2e"; }
  void prepare() override {
    if (run_command({kDocker, "version"}).exit_code != 0)
      FAIL() << "no Docker daemon answers; `make test` starts one (scripts/dockerd.sh)";
    auto images = run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
    ASSERT_EQ(images.exit_code, 0) << images.both();
  }

  std::string apply_pod(const std::string& name, const std::string& container_yaml) {
    return ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name +
                                        "\n  labels: {test: " + name + "}\nspec:\n  containers:\n" + container_yaml);
  }
};

}  // namespace skiff::test
