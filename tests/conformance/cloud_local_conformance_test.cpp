// cloud-local passes the SDK's cloud provider conformance suite in both of its load balancer
// modes: a pool of its own, and the nodes' own addresses (no pool), on the kit's harness.
#include "skiff/testing/plugin_harness.hpp"

namespace skiff::conformance {
INSTANTIATE_TEST_SUITE_P(
    CloudLocal, CloudProviderConformance,
    ::testing::Values(
        CloudProviderConformanceParam{"pool",
                                      test::cloud_provider_harness({"cloud-local", "", "pool: [10.213.11.240-10.213.11.243]"})},
        CloudProviderConformanceParam{"node_addresses", test::cloud_provider_harness({"cloud-local"})}),
    [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
