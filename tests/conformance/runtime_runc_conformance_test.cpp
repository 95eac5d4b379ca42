// runtime-runc passes the runtime conformance suite with real processes, on the kit's harness:
// the real skiffd on a real bus, runc 1.1.5, the suite's busybox image imported from a
// `docker save` archive (its `image_archives`). Without a network plugin on the test's node,
// pods are on the plugin's default bridge. Skips, saying why, without root, runc or overlayfs.
#include "runc_lab.hpp"
#include "skiff/testing/plugin_harness.hpp"

namespace {

using namespace skiff;

conformance::RuntimeHarnessFactory runc_harness() {
  return []() -> std::unique_ptr<conformance::RuntimeHarness> {
    if (auto missing = test::runc_missing_prerequisite(); !missing.empty()) {
      [&] { GTEST_SKIP() << missing; }();  // SetUp sees the skip; the suite's body does not run
      return nullptr;
    }
    auto factory = test::runtime_harness(
        {"runtime-runc", "", "image_archives: [" + test::busybox_image_archive() + "]"});
    return factory();
  };
}

}  // namespace

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeConformance,
                         ::testing::Values(RuntimeConformanceParam{"runtime_runc", runc_harness(), true}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
