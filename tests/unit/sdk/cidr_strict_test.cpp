// IPv4 CIDRs: strict parsing with messages that say how to write one, canonical printing,
// containment and overlap.
#include <gtest/gtest.h>

#include "skiff/sdk/cidr.hpp"

namespace {

using namespace skiff::sdk;

Ipv4Cidr cidr(const std::string& text) {
  auto parsed = parse_ipv4_cidr(text);
  if (const auto* error = std::get_if<CidrError>(&parsed)) ADD_FAILURE() << text << ": " << error->message;
  return std::get_if<Ipv4Cidr>(&parsed) ? std::get<Ipv4Cidr>(parsed) : Ipv4Cidr{};
}

std::string error_of(const std::string& text, HostBits host_bits = HostBits::Refuse) {
  auto parsed = parse_ipv4_cidr(text, host_bits);
  if (const auto* error = std::get_if<CidrError>(&parsed)) return error->message;
  return "";
}

TEST(CidrStrict, ParsesAndPrintsCanonically) {
  EXPECT_EQ(cidr("10.244.0.0/16").str(), "10.244.0.0/16");
  EXPECT_EQ(cidr("10.244.0.0/16").network, 0x0af40000u);
  EXPECT_EQ(cidr("10.244.0.0/16").prefix, 16);
  EXPECT_EQ(cidr("0.0.0.0/0").size(), std::uint64_t{1} << 32);
  EXPECT_EQ(cidr("255.255.255.255/32").last(), 0xffffffffu);
  EXPECT_EQ(cidr("10.244.3.0/24").last(), 0x0af403ffu);
}

TEST(CidrStrict, RefusesWhatIsNotAnIpv4CidrSayingWhy) {
  EXPECT_EQ(error_of("10.244.0.0"), "'10.244.0.0' is not a CIDR: it lacks the /prefix (write it as 10.244.0.0/16)");
  for (const char* bad : {"10.244.0/16", "10.244.0.0.0/16", "10.256.0.0/16", "10.244.00.0/16", "a.b.c.d/16",
                          "fd00::/64", "/16", "10.244.0.0 /16", "-1.0.0.0/8"})
    EXPECT_NE(error_of(bad).find("is not an IPv4 CIDR: expected four numbers 0-255"), std::string::npos) << bad;
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/x", "10.0.0.0/-1"})
    EXPECT_NE(error_of(bad).find("the prefix after '/' must be a number from 0 to 32"), std::string::npos) << bad;
}

TEST(CidrStrict, HostBitsAreATypoInConfigButMaskedInObjects) {
  EXPECT_EQ(error_of("10.244.1.0/16"), "'10.244.1.0/16' has bits set after its /16 prefix; did you mean 10.244.0.0/16?");
  auto masked = parse_ipv4_cidr("10.244.1.7/24", HostBits::Mask);
  ASSERT_TRUE(std::holds_alternative<Ipv4Cidr>(masked));
  EXPECT_EQ(std::get<Ipv4Cidr>(masked).str(), "10.244.1.0/24");
}

TEST(CidrStrict, ContainmentAndOverlap) {
  auto cluster = cidr("10.244.0.0/16");
  EXPECT_TRUE(cluster.contains(cidr("10.244.255.0/24")));
  EXPECT_TRUE(cluster.contains(cluster));
  EXPECT_FALSE(cluster.contains(cidr("10.245.0.0/24")));
  EXPECT_FALSE(cluster.contains(cidr("10.0.0.0/8"))) << "a larger range is not inside";
  EXPECT_TRUE(cluster.overlaps(cidr("10.0.0.0/8")));
  EXPECT_TRUE(cidr("10.0.0.0/8").overlaps(cluster));
  EXPECT_FALSE(cidr("10.96.0.0/12").overlaps(cluster)) << "the default service CIDR ends at 10.111.255.255";
  EXPECT_TRUE(cidr("10.96.0.0/12").overlaps(cidr("10.111.255.255/32")));
  EXPECT_FALSE(cidr("10.96.0.0/12").overlaps(cidr("10.112.0.0/16")));
}

}  // namespace
