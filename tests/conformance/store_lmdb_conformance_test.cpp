// store-lmdb passes the SDK's store conformance suite, on the kit's harness: the real skiffd
// hosting it on a real bus — as any third-party store would run the suite.
#include "skiff/testing/plugin_harness.hpp"

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(StoreLmdb, StoreConformance,
                         ::testing::Values(StoreConformanceParam{
                             "store_lmdb", test::store_harness({"store-lmdb", "", "map_size: 256Mi"})}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
