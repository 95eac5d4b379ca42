// Service cluster IPs and node ports: handed out round-robin, the reserved addresses skipped,
// and refusals worded as Kubernetes words them.
#include <gtest/gtest.h>

#include "api_error.hpp"
#include "ip_allocator.hpp"

namespace {

using namespace skiff;

template <class F>
sdk::Status refusal(F&& call) {
  try {
    call();
  } catch (const apiserver::ApiError& e) {
    return e.status();
  }
  return sdk::Status{};
}

TEST(IpAllocator, SkipsTheNetworkAndTheApisOwnAddress) {
  apiserver::IpAllocator ips("10.96.0.0/29");
  EXPECT_EQ(ips.allocate(), "10.96.0.2");
  EXPECT_EQ(ips.allocate(), "10.96.0.3");
  EXPECT_FALSE(ips.contains("10.96.0.0"));
  EXPECT_TRUE(ips.contains("10.96.0.1"));
  EXPECT_FALSE(ips.contains("10.96.0.7")) << "the broadcast address";
  EXPECT_FALSE(ips.contains("10.97.0.2"));
  EXPECT_FALSE(ips.contains("not-an-ip"));
}

TEST(IpAllocator, AReleasedAddressIsNotReusedAtOnce) {
  apiserver::IpAllocator ips("10.96.0.0/29");
  std::string first = ips.allocate();
  ips.allocate();
  ips.release(first);
  EXPECT_EQ(ips.allocate(), "10.96.0.4");
  EXPECT_EQ(ips.allocate(), "10.96.0.5");
  EXPECT_EQ(ips.allocate(), "10.96.0.6");
  EXPECT_EQ(ips.allocate(), "10.96.0.2") << "round-robin comes back to it";
  EXPECT_EQ(refusal([&] { ips.allocate(); }).code, 503) << "the /29 is full";
}

TEST(IpAllocator, AWantedAddressMustBeInsideAndFree) {
  apiserver::IpAllocator ips("10.96.0.0/28");
  EXPECT_EQ(ips.allocate("10.96.0.10"), "10.96.0.10");
  auto taken = refusal([&] { ips.allocate("10.96.0.10"); });
  EXPECT_EQ(taken.code, 422);
  EXPECT_EQ(taken.message, "spec.clusterIPs: Invalid value: \"10.96.0.10\": failed to allocate IP 10.96.0.10: provided IP "
                           "is already allocated");
  EXPECT_EQ(refusal([&] { ips.allocate("10.0.0.1"); }).message,
            "spec.clusterIPs: Invalid value: \"10.0.0.1\": provided IP is not in the valid range. The range of valid IPs "
            "is 10.96.0.0/28");
  EXPECT_EQ(refusal([&] { ips.allocate("ten"); }).message, "spec.clusterIP: Invalid value: \"ten\": must be a valid IP");
  ips.mark_used("10.96.0.2");
  EXPECT_EQ(ips.allocate(), "10.96.0.3") << "marked addresses are skipped";
}

TEST(IpAllocator, TheFirstAddressIsTheKubernetesServicesOnly) {
  apiserver::IpAllocator ips("10.96.0.0/29");
  EXPECT_EQ(ips.first_address(), "10.96.0.1");
  EXPECT_EQ(refusal([&] { ips.allocate("10.96.0.1"); }).message,
            "spec.clusterIPs: Invalid value: \"10.96.0.1\": failed to allocate IP 10.96.0.1: provided IP is already "
            "allocated");
  EXPECT_EQ(ips.allocate("10.96.0.1", true), "10.96.0.1");
  EXPECT_EQ(ips.allocate("10.96.0.1", true), "10.96.0.1") << "again, after its Service was deleted and made anew";
  ips.release("10.96.0.1", true);
  EXPECT_EQ(refusal([&] { ips.allocate("10.96.0.1"); }).code, 422) << "still reserved once released";
  for (int i = 0; i < 5; ++i) EXPECT_NE(ips.allocate(), "10.96.0.1");
  EXPECT_EQ(refusal([&] { ips.allocate(); }).code, 503) << "a /29 has 5 addresses besides it";
}

TEST(IpAllocator, AServiceMadeBeforeTheReservationKeepsTheFirstAddress) {
  apiserver::IpAllocator ips("10.96.0.0/29");
  ips.mark_used("10.96.0.1");  // an older Service that is not the kubernetes one
  EXPECT_EQ(refusal([&] { ips.allocate("10.96.0.1", true); }).code, 422) << "the kubernetes Service cannot have it";
  ips.release("10.96.0.1");
  EXPECT_EQ(ips.allocate("10.96.0.1", true), "10.96.0.1") << "once that Service is gone";
}

TEST(IpAllocator, ABadCidrIsRefusedWithItsFix) {
  EXPECT_THROW(apiserver::IpAllocator("10.96.0.0"), std::invalid_argument);
  EXPECT_THROW(apiserver::IpAllocator("10.96.0.0/31"), std::invalid_argument);
  apiserver::IpAllocator unaligned("10.96.0.77/24");
  EXPECT_EQ(unaligned.allocate(), "10.96.0.2") << "the base is the network, whatever the host part";
}

TEST(PortAllocator, RangeDuplicatesAndExhaustion) {
  apiserver::PortAllocator ports(30000, 30002);
  EXPECT_EQ(ports.allocate(), 30000);
  EXPECT_EQ(ports.allocate(30002), 30002);
  EXPECT_EQ(ports.allocate(), 30001);
  EXPECT_EQ(refusal([&] { ports.allocate(); }).code, 503);
  EXPECT_EQ(refusal([&] { ports.allocate(30001); }).message,
            "spec.ports.nodePort: Invalid value: 30001: provided port is already allocated");
  EXPECT_EQ(refusal([&] { ports.allocate(8080); }).message,
            "spec.ports.nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports "
            "is 30000-30002");
  ports.release(30001);
  EXPECT_EQ(ports.allocate(), 30001);
}

}  // namespace
