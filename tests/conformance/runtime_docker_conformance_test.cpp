// runtime-docker with `network: docker-bridge` (pods on Docker's bridge) passes the runtime conformance
// suite against the machine's dockerd, on the kit's harness: the real skiffd on a real bus.
#include "skiff/testing/plugin_harness.hpp"
#include "test_images.hpp"

namespace {

using namespace skiff;

// The suite's image (busybox) imported into dockerd once, whoever runs this test.
conformance::RuntimeHarnessFactory docker_harness() {
  return [harness = test::runtime_harness({"runtime-docker", "", "network: docker-bridge"})] {
    test::import_test_images();
    return harness();
  };
}

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeConformance,
                         ::testing::Values(RuntimeConformanceParam{"runtime_docker", docker_harness(), true}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
