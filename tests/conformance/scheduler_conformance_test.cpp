// scheduler-default and scheduler-binpack pass the SDK's scheduler conformance suite, each on
// the kit's harness: the real skiffd with store-lmdb and the apiserver on a real bus.
#include "skiff/testing/plugin_harness.hpp"

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(
    Schedulers, SchedulerConformance,
    ::testing::Values(SchedulerConformanceParam{"scheduler_default",
                                                test::scheduler_harness({"scheduler-default"}, "default-scheduler"),
                                                Scoring::Spread},
                      SchedulerConformanceParam{"scheduler_binpack",
                                                test::scheduler_harness({"scheduler-binpack"}, "skiff-binpack"),
                                                Scoring::BinPack}),
    [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
