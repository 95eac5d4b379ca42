// runtime-docker passes the runtime conformance suite against the machine's dockerd
// (`make test` starts one when none runs), on the kit's harness: the real skiffd on a real bus.
#include "command.hpp"
#include "skiff/testing/plugin_harness.hpp"

namespace {

using namespace skiff;

// The suite's image (busybox) imported into dockerd once, whoever runs this test.
conformance::RuntimeHarnessFactory docker_harness() {
  return [harness = test::runtime_harness({"runtime-docker"})] {
    static const bool imported = [] {
      auto images = test::run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
      if (images.exit_code != 0) throw std::runtime_error("scripts/images.sh: " + images.both());
      return true;
    }();
    (void)imported;
    return harness();
  };
}

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeConformance,
                         ::testing::Values(RuntimeConformanceParam{"runtime_docker", docker_harness(), true}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
