// runtime-containerd passes the runtime conformance suite against Skiff's own containerd
// (scripts/containerd.sh) through its CRI, on the kit's harness: the real skiffd on a real bus.
// Without a network plugin on the test's node, pods are on the plugin's default bridge.
#include "skiff/testing/plugin_harness.hpp"
#include "test_images.hpp"

namespace {

using namespace skiff;

// The suite's image (busybox) imported into containerd's k8s.io namespace once, whoever runs this test.
conformance::RuntimeHarnessFactory containerd_harness() {
  return [harness = test::runtime_harness({"runtime-containerd"})] {
    test::import_test_images();
    return harness();
  };
}

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeConformance,
                         ::testing::Values(RuntimeConformanceParam{"runtime_containerd", containerd_harness(), true}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
