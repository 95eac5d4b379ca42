// The apiservers' identity leases and the `kubernetes` endpoints made of the live ones.
#include <gtest/gtest.h>

#include "apiserver_leases.hpp"
#include "kubernetes_service.hpp"

namespace {

using namespace skiff::apiserver;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

TEST(ApiserverLeases, TheLeaseNamesTheApiserverAndItsAddress) {
  auto lease = apiserver_lease({"skh-master-2", "10.213.15.12", 15s}, Clock::now());
  EXPECT_EQ(lease.metadata().name(), "apiserver-skh-master-2");
  EXPECT_EQ(lease.metadata().namespace_(), "kube-system");
  EXPECT_EQ(lease.metadata().labels().at(kApiserverIdentityLabel), "kube-apiserver");
  EXPECT_EQ(lease.metadata().annotations().at(kApiserverAddressAnnotation), "10.213.15.12");
  EXPECT_EQ(lease.spec().lease_duration_seconds(), 15);
  EXPECT_FALSE(lease.spec().renew_time().empty());
}

TEST(ApiserverLeases, OnlyUnexpiredLeasesCountSortedOnce) {
  auto now = Clock::now();
  std::vector<skiff::api::coordination::v1::Lease> leases = {
      apiserver_lease({"m3", "10.0.0.13", 15s}, now - 5s),
      apiserver_lease({"m1", "10.0.0.11", 15s}, now),
      apiserver_lease({"m2", "10.0.0.12", 15s}, now - 16s),  // its master died
      apiserver_lease({"m1b", "10.0.0.11", 15s}, now),        // the same address twice
  };
  leases.push_back(apiserver_lease({"m4", "", 15s}, now));  // no address: ignored
  EXPECT_EQ(live_addresses(leases, now), (std::vector<std::string>{"10.0.0.11", "10.0.0.13"}));
}

TEST(ApiserverLeases, EndpointsListEveryAddressAndOneAddressAsBefore) {
  KubernetesServiceOptions options{"10.96.0.1", "10.0.0.11", 6443, {}};
  auto alone = kubernetes_endpoints(options);
  ASSERT_EQ(alone.subsets_size(), 1);
  ASSERT_EQ(alone.subsets(0).addresses_size(), 1);
  EXPECT_EQ(alone.subsets(0).addresses(0).ip(), "10.0.0.11");
  EXPECT_EQ(kubernetes_endpoint_slice(options).endpoints_size(), 1);

  options.addresses = {"10.0.0.11", "10.0.0.12", "10.0.0.13"};
  auto three = kubernetes_endpoints(options);
  ASSERT_EQ(three.subsets_size(), 1);
  ASSERT_EQ(three.subsets(0).addresses_size(), 3);
  EXPECT_EQ(three.subsets(0).addresses(2).ip(), "10.0.0.13");
  EXPECT_EQ(three.subsets(0).ports(0).port(), 6443);
  auto slice = kubernetes_endpoint_slice(options);
  ASSERT_EQ(slice.endpoints_size(), 3);
  EXPECT_EQ(slice.endpoints(1).addresses(0), "10.0.0.12");
  EXPECT_TRUE(slice.endpoints(1).conditions().ready());
}

}  // namespace
