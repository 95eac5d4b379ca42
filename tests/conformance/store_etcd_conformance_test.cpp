// store-etcd passes the SDK's store conformance suite on a real etcd: a single member, and a
// three-member cluster (the HA setup). Each test gets a key prefix of its own.
#include <atomic>

#include "etcd_cluster.hpp"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/testing/plugin_harness.hpp"

namespace skiff::conformance {
namespace {

test::EtcdCluster& etcd(int members) {
  // One cluster of each size per test process, started when a test first asks for it.
  static std::unique_ptr<test::EtcdCluster> one, three;
  auto& slot = members == 1 ? one : three;
  if (!slot) slot = std::make_unique<test::EtcdCluster>(members);
  return *slot;
}

StoreHarnessFactory on_etcd(int members) {
  return [members](const std::map<std::string, std::string>& overrides) {
    std::string config = "endpoints: " + etcd(members).endpoints_yaml() + "\nprefix: /conformance/" + sdk::new_uid() +
                         "\nlease_ttl: 2s";
    return test::store_harness({"store-etcd", "", config})(overrides);
  };
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(StoreEtcd, StoreConformance,
                         ::testing::Values(StoreConformanceParam{"one_member", on_etcd(1)},
                                           StoreConformanceParam{"three_members", on_etcd(3)}),
                         [](const auto& info) { return info.param.name; });
}  // namespace skiff::conformance
