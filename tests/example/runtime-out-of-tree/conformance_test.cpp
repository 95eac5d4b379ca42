// The installed runtime conformance suite, on the installed harness, against runtime-sim as
// built here (SKIFF_PLUGIN_DIR comes before skiffd's own plugin directory).
#include <skiff/testing/plugin_harness.hpp>

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(OutOfTree, RuntimeConformance,
                         ::testing::Values(RuntimeConformanceParam{
                             "runtime_sim", test::runtime_harness({"runtime-sim", SKIFF_PLUGIN_DIR}), false}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
