// runtime-docker passes the runtime conformance suite against the machine's dockerd
// (`make test` starts one when none runs), loaded by the real skiffd on a real bus.
#include <cstdlib>

#include "command.hpp"
#include "plugin_node.hpp"
#include "skiff/testing/runtime_conformance.hpp"

namespace {

using namespace skiff;

class DockerHarness final : public conformance::RuntimeHarness {
 public:
  DockerHarness() : node_(nats_, "  - name: runtime-docker\n", "conformance-node") {
    auto images = test::run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
    if (images.exit_code != 0) throw std::runtime_error("scripts/images.sh: " + images.both());
    node_.start();
  }
  sdk::Bus& bus() override { return node_.bus(); }
  const sdk::Subjects& subjects() override { return node_.subjects(); }
  std::string node() override { return "conformance-node"; }
  std::string image() override { return "skiff/busybox:1"; }

 private:
  test::NatsServer nats_;
  test::PluginNode node_;
};

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeConformance,
                         ::testing::Values(RuntimeConformanceParam{
                             "runtime_docker", [] { return std::make_unique<DockerHarness>(); }, true}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
