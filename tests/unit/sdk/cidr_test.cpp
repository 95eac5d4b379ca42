// IPv4 CIDR values: what parses, containment and overlap, printing.
#include <gtest/gtest.h>

#include "skiff/sdk/cidr.hpp"

namespace {

using skiff::sdk::Ipv4Cidr;

TEST(Cidr, ParsesWellFormedBlocksOnly) {
  auto cluster = Ipv4Cidr::parse("10.244.0.0/16");
  ASSERT_TRUE(cluster);
  EXPECT_EQ(cluster->prefix, 16);
  EXPECT_EQ(cluster->str(), "10.244.0.0/16");
  EXPECT_EQ(cluster->size(), 65536u);
  EXPECT_EQ(skiff::sdk::format_ipv4(cluster->first_host()), "10.244.0.1");
  for (const char* bad : {"10.244.0.1/16", "10.244.0.0", "10.244.0.0/33", "10.244.0/16", "10.244.0.0/1x", "x/8", ""})
    EXPECT_FALSE(Ipv4Cidr::parse(bad)) << bad;
  EXPECT_TRUE(Ipv4Cidr::parse("0.0.0.0/0"));
}

TEST(Cidr, ContainsAndOverlaps) {
  auto cluster = *Ipv4Cidr::parse("10.244.0.0/16");
  auto node = *Ipv4Cidr::parse("10.244.3.0/24");
  auto services = *Ipv4Cidr::parse("10.96.0.0/12");
  EXPECT_TRUE(cluster.contains(node));
  EXPECT_FALSE(node.contains(cluster));
  EXPECT_TRUE(cluster.overlaps(node));
  EXPECT_TRUE(node.overlaps(cluster));
  EXPECT_FALSE(cluster.overlaps(services));
  EXPECT_TRUE(Ipv4Cidr::parse("10.96.0.0/11")->overlaps(*Ipv4Cidr::parse("10.100.0.0/16")));
  EXPECT_TRUE(node.contains(*skiff::sdk::parse_ipv4("10.244.3.255")));
  EXPECT_FALSE(node.contains(*skiff::sdk::parse_ipv4("10.244.4.0")));
}

}  // namespace
